/**
 * Preloaded (`node --import`) into every training process a queue worker starts. The worker holds
 * the write end of the child's stdin; when the worker dies, even by SIGKILL, the pipe reaches end
 * of file and the training stops at once, instead of running on as an orphan whose result nobody
 * collects (its last checkpoint is already where the next worker finds it).
 */
if (!process.stdin.isTTY) {
  process.stdin.on('end', () => process.exit(137));
  process.stdin.on('error', () => process.exit(137));
  process.stdin.resume();
  // Reading stdin must not keep a finished run alive.
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}
export {};
