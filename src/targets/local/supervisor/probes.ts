// One probe check against one instance: http (GET on loopback), tcp (connect) or exec (a command, exit 0).
// A failed check is a result with a message, never an exception.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { ProbeSpec } from '../types.js';
import { signalGroup } from './proc.js';

export interface ProbeResult {
  ok: boolean;
  message: string;
}

export interface ProbeTarget {
  port: number;
  /** For exec probes: the instance's environment (it includes PORT) and working directory. */
  env: Record<string, string>;
  cwd?: string;
}

function httpCheck(spec: NonNullable<ProbeSpec['http']>, target: ProbeTarget, timeoutMs: number) {
  return new Promise<ProbeResult>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: target.port, path: spec.path, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      const ok =
        spec.expectStatus !== undefined ? status === spec.expectStatus : status >= 200 && status < 400;
      clearTimeout(timer);
      resolve({ ok, message: `HTTP ${status}` });
      req.destroy();
    });
    // A whole-check deadline: a socket timeout alone would not catch a server that answers byte by byte.
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, message: error.code ?? error.message });
    });
  });
}

function tcpCheck(target: ProbeTarget, timeoutMs: number) {
  return new Promise<ProbeResult>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: target.port });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, message: 'connected' });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, message: error.code ?? error.message });
    });
  });
}

function execCheck(spec: NonNullable<ProbeSpec['exec']>, target: ProbeTarget, timeoutMs: number) {
  return new Promise<ProbeResult>((resolve) => {
    const [command = '', ...args] = spec.command;
    let stderr = '';
    let timedOut = false;
    // Its own process group, so that a timeout kills whatever the command started too.
    const child = spawn(command, args, {
      cwd: target.cwd,
      env: target.env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-400);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, message: `cannot run ${command}: ${error.code ?? error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, message: `no exit within ${timeoutMs} ms` });
      const last = stderr.trim().split('\n').pop() ?? '';
      const how = code !== null ? `exit ${code}` : `killed by ${signal ?? 'a signal'}`;
      resolve({ ok: code === 0, message: last === '' ? how : `${how}: ${last}` });
    });
  });
}

/** Run one check of `spec` against the instance now. */
export function checkOnce(spec: ProbeSpec, target: ProbeTarget): Promise<ProbeResult> {
  if (spec.http !== undefined) return httpCheck(spec.http, target, spec.timeoutMs);
  if (spec.exec !== undefined) return execCheck(spec.exec, target, spec.timeoutMs);
  return tcpCheck(target, spec.timeoutMs);
}
