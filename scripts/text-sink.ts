import { Writable } from "node:stream";

/** A stream standing in for a command's stdout or stderr, keeping what was written for the caller to read. */
export function textSink(): { stream: NodeJS.WritableStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}
