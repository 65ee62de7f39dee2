/** Where a command prints: stdout for what it was asked for, stderr for problems and progress. */
export interface CommandIo {
  write: (text: string) => void;
  writeError: (text: string) => void;
}
