import { clearScreenDown, moveCursor } from "node:readline";

/** Where progress goes: redrawn in place on a terminal, or as plain lines. */
export interface ProgressDisplay {
  /** A line that stays (a failure, a service finished). */
  log(line: string): void;
  /** The current progress block: replaces the last one on a terminal; printed as it is otherwise. */
  show(lines: string[]): void;
  /** Leaves the last progress block on screen and stops redrawing. */
  close(): void;
  readonly live: boolean;
}

/**
 * Live redraw only on a terminal and when NO_COLOR is unset or empty (https://no-color.org: the
 * redraw uses cursor escapes, which a user asking for plain output does not want either).
 */
export function wantsLiveProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

export function createProgressDisplay(stream: NodeJS.WritableStream, live: boolean): ProgressDisplay {
  if (!live) {
    return {
      live,
      log: (line) => stream.write(`${line}\n`),
      show: (lines) => stream.write(`${lines.map((l) => `progress: ${l}`).join("\n")}\n`),
      close: () => undefined,
    };
  }
  let drawn: string[] = [];
  const erase = () => {
    if (drawn.length === 0) return;
    moveCursor(stream, 0, -drawn.length);
    clearScreenDown(stream);
  };
  return {
    live,
    log(line) {
      const block = drawn;
      erase();
      stream.write(`${line}\n`);
      drawn = [];
      if (block.length > 0) this.show(block);
    },
    show(lines) {
      erase();
      stream.write(`${lines.join("\n")}\n`);
      drawn = lines;
    },
    close() {
      drawn = [];
    },
  };
}
