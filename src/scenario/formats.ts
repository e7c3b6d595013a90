// The output forms a caller can ask for (?format= on the API, --format on the CLI). Kept apart
// from the renderers so the API worker can check the name without bundling any engine code.
export const FORMATS = ["json", "iptables-save", "trace"] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(f: string): f is Format {
  return (FORMATS as readonly string[]).includes(f);
}
