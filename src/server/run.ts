// Runs the controller in this process until SIGTERM/SIGINT. The agent it started keeps running: traffic is
// served while the controller is down, and a restarted controller resumes its releases.
import { startController, type ControllerOptions } from './controller.js';

export async function runControllerUntilStopped(opts: ControllerOptions): Promise<void> {
  const controller = await startController(opts);
  let signals = 0;
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      signals += 1;
      if (signals > 1) process.exit(130);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await controller.stop();
  process.exit(0);
}
