/** Human-readable output. Colours only when the stream is a colour terminal and NO_COLOR is unset. */
import type { Writable } from "node:stream";
import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

export interface Ui {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Plain text, no prefix. */
  raw(text: string): void;
  style(format: Style, text: string): string;
}

export function createUi(out: Writable, err: Writable = out, color = true): Ui {
  const style = (format: Style, text: string, stream: Writable = out) =>
    color ? styleText(format, text, { stream, validateStream: true }) : text;
  return {
    info: (message) => out.write(`${message}\n`),
    success: (message) => out.write(`${style("green", "✔")} ${message}\n`),
    warn: (message) => err.write(`${style("yellow", "▲", err)} ${message}\n`),
    error: (message) => err.write(`${style("red", "✖", err)} ${message}\n`),
    raw: (text) => out.write(text),
    style: (format, text) => style(format, text),
  };
}
