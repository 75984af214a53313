import { spawn } from 'node:child_process';

/**
 * Runs `command` (a shell command line) on a pseudo-terminal through `script`, as a user at a
 * shell would, and types each answer once, in order, when its question first shows up after
 * the previous one. Resolves with everything the terminal showed; rejects after 30 s.
 */
export function answerOnTerminal(
  command: string,
  answers: [question: RegExp, typed: string][],
  cwd: string,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let seen = '';
    let next = 0;
    let cursor = 0;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the command did not finish; output so far:\n${seen}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      for (let match; next < answers.length; next++) {
        match = answers[next]![0].exec(seen.slice(cursor));
        if (!match) break;
        cursor += match.index + match[0].length;
        child.stdin.write(answers[next]![1]);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(seen);
    });
  });
}
