#!/usr/bin/env node
// Database migration (spec.hooks.migrate, and its undo in spec.hooks.onRollback). A stand-in for the real tool
// (a framework's migrate command, Flyway, Alembic): it names what it would do and succeeds.
// Usage: node migrate.mjs <up|down> <version>. Exit 0 on success, 2 on a usage error.
const [direction, version] = process.argv.slice(2);
if (!['up', 'down'].includes(direction ?? '') || !version) {
  console.error('usage: migrate.mjs <up|down> <version>');
  process.exit(2);
}
console.log(
  direction === 'up'
    ? `migrated the schema up to what ${version} needs (stand-in)`
    : `migrated the schema back down from what ${version} needed (stand-in)`,
);
