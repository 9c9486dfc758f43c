// ${name} placeholders: known names filled, unknown ones left as written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillPlaceholders, HOOK_PLACEHOLDERS } from './placeholders.js';

void describe('fillPlaceholders', () => {
  void it('fills known names and leaves unknown ones', () => {
    const vars = { app: 'shop', version: '1.4.0' };
    assert.equal(
      fillPlaceholders('${app}@${version} ${unknown} ${version}', vars),
      'shop@1.4.0 ${unknown} 1.4.0',
    );
  });

  void it('does not treat inherited object properties as names, nor fill the values it inserts', () => {
    assert.equal(fillPlaceholders('${constructor} ${toString}', {}), '${constructor} ${toString}');
    assert.equal(fillPlaceholders('${app}', { app: '${version}', version: 'x' }), '${version}');
  });

  void it('lists the names a hook may use', () => {
    assert.deepEqual([...HOOK_PLACEHOLDERS], ['app', 'version', 'fromVersion', 'environment', 'release']);
  });
});
