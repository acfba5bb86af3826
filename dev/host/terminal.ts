/** Story-telling output for `npm start`: tagged, coloured on a terminal, plain otherwise. */

const useColour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: number, text: string): string => (useColour ? `\u001b[${code}m${text}\u001b[0m` : text);

function line(tag: string, colour: number, text: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stdout.write(`${paint(90, time)} ${paint(colour, tag)} ${text}\n`);
}

export const terminal = {
  stack: (text: string) => line("[stack]", 36, text),
  story: (text: string) => line("[story]", 33, text),
  ok: (text: string) => line("[story]", 32, `✔ ${text}`),
  try: (text: string) => line("[try  ]", 35, text),
  app: (source: string, text: string, level: string) =>
    line(
      `[${source}]`.padEnd(7),
      level === "error" ? 31 : level === "warning" ? 33 : 90,
      level === "information" ? paint(90, text) : text,
    ),
  plain: (text: string) => void process.stdout.write(`${text}\n`),
};
