// The one mapping from errors to exit codes: 0 promoted/help, 1 failed, 2 usage or validation, 3 timeout,
// 4 not found or no controller.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { AuthError, ConflictError, ExternalError, InvalidInputError, NotFoundError } from '../errors.js';
import { SpecError } from '../spec/spec-error.js';
import {
  EXIT,
  NoControllerError,
  ReleaseEndedError,
  Reported,
  WaitTimeoutError,
  exitCodeOf,
  problemLine,
} from './errors.js';

void describe('CLI exit codes', () => {
  void it('maps each kind of error to its documented exit code', () => {
    const spec = new SpecError([
      { file: 'g.yaml', line: 3, column: 5, path: 'spec.target', message: 'missing' },
    ]);
    const cases: Array<[unknown, number]> = [
      [new ReleaseEndedError(4, 'rolledBack', 'trigger:error-rate'), EXIT.failed],
      [new ReleaseEndedError(4, 'aborted', 'abort'), 1],
      [new WaitTimeoutError('gave up'), 3],
      [spec, 2],
      [new InvalidInputError('bad flag'), 2],
      [new CommanderError(1, 'commander.unknownCommand', 'unknown command'), 2],
      [new CommanderError(1, 'commander.missingMandatoryOptionValue', 'missing'), 2],
      [new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), 0],
      [new CommanderError(0, 'commander.version', '0.1.0'), 0],
      [new NotFoundError('app shop'), 4],
      [new NoControllerError('/tmp/x'), 4],
      [new ConflictError('busy'), 1],
      [new AuthError(), 1],
      [new ExternalError('agent down'), 1],
      [new Error('bug'), 1],
      [new Reported(spec), 2],
    ];
    for (const [error, code] of cases) assert.equal(exitCodeOf(error), code, String(error));
  });

  void it('formats a problem with its place as file:line:column: path: message', () => {
    assert.equal(
      problemLine({ file: 'g.yaml', line: 3, column: 5, path: 'spec.target', message: 'missing' }),
      'g.yaml:3:5: spec.target: missing',
    );
    assert.equal(problemLine({ path: 'version', message: 'too long' }), 'version: too long');
  });
});
