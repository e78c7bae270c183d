/**
 * Usage of one subcommand, cut from a command's usage text, so `testbeds hmm recover --help` and
 * `testbeds help hmm recover` print just that part. The text lists subcommands as
 * `  NAME    ARGS…` at an indent of two, their description on the following, deeper-indented lines;
 * paragraphs before the list and lines after it (`Common: …`, `Examples:`) apply to all of them.
 */
export function subcommandUsage(usage: string, program: string, sub: string): string | undefined {
  const lines = usage.split('\n');
  const isEntry = (l: string) => /^ {2}[a-z][\w-]*(?: {2,}|$)/.test(l);
  const start = lines.findIndex((l) => isEntry(l) && l.trim().split(/\s+/)[0] === sub);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && /^ {4,}\S/.test(lines[end]!)) end++;
  const args = lines[start]!.trim().slice(sub.length).trim();
  const body = lines.slice(start + 1, end).map((l) => `  ${l.trim()}`);
  // The shared text: the paragraph(s) between the first line and the list, and what follows the list.
  const first = lines.findIndex(isEntry);
  let last = first;
  for (let i = first; i < lines.length; i++) if (isEntry(lines[i]!) || /^ {4,}\S/.test(lines[i]!)) last = i;
  const intro = lines.slice(1, first).join('\n').trim();
  const after = lines
    .slice(last + 1)
    .filter((l) => !/^ {2}\S/.test(l) || l.includes(` ${sub} `) || l.endsWith(` ${sub}`))
    .join('\n')
    .replace(/Examples:\n*$/, '')
    .trim();
  return [`usage: ${program} ${sub}${args ? ` ${args}` : ''}`, ...body, '', intro, ...(after ? ['', after] : [])].join('\n').trimEnd();
}
