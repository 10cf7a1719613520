import { writeFileSync } from "node:fs";

/** What a command may touch of the outside world; tests pass their own. */
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const processIO = (): CommandIO => ({
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});

export async function emit(io: CommandIO, text: string, output?: string): Promise<void> {
  if (output) writeFileSync(output, text);
  else io.stdout.write(text);
}

export function wantsProgress(io: CommandIO): boolean {
  return !!io.stderr.isTTY && !io.env.CI;
}

export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
