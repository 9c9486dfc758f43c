// /proc facts and process-group signalling on real processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { groupIsOurs, groupMembers, isRunning, readProcStat, signalGroup } from './proc.js';

void describe('proc', () => {
  void it('reads state, process group and start time of a process', () => {
    const stat = readProcStat(process.pid);
    assert.ok(stat);
    assert.match(stat.startTime, /^\d+$/);
    assert.equal(isRunning(process.pid), true);
    assert.equal(isRunning(process.pid, stat.startTime), true);
    assert.equal(isRunning(process.pid, '1'), false, 'another start time: another process');
    assert.equal(readProcStat(2 ** 22 + 1), null);
  });

  void it('lists and signals the live members of a process group', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 30 & sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid ?? 0;
    try {
      let members: number[] = [];
      for (let i = 0; i < 100 && members.length < 3; i += 1) {
        members = groupMembers(pgid);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(members.length, 3, 'the shell and its two sleeps');
      assert.ok(members.includes(pgid));
      assert.equal(groupIsOurs(pgid, readProcStat(pgid)?.startTime ?? null), true);
      assert.equal(groupIsOurs(pgid, '1'), false);
      const exited = once(child, 'exit');
      assert.equal(signalGroup(pgid, 'SIGKILL'), true);
      await exited;
    } finally {
      signalGroup(pgid, 'SIGKILL');
    }
    assert.equal(signalGroup(-5, 0), false);
  });
});
