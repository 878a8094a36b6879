// The one redaction path: every line the CLI or the Action prints, and every file or comment they
// write, goes through a Redactor. The runner masks `::add-mask::` values in its log only; the job
// summary, the PR comment and files written to disk are not masked, so text bound there needs this.

/** Shapes of MINT credentials, masked even when we were never told the value (defence in depth). */
const TOKEN_SHAPES: readonly RegExp[] = [
  /mint_(?:pat|svc)_[A-Za-z0-9._~+/=-]+/g,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
];
/** `Bearer <credential>`: the scheme stays, the credential goes. */
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{16,}/g;

/** Values shorter than this would redact ordinary words; they are not real credentials anyway. */
export const MIN_SECRET_LENGTH = 4;

/** Replaces anything shaped like a MINT token (or a bearer credential) with `mask`. */
export function redactTokenShapes(text: string, mask = '***'): string {
  let out = text;
  for (const re of TOKEN_SHAPES) out = out.replace(re, mask);
  return out.replace(BEARER, (_m, scheme: string) => `${scheme}${mask}`);
}

/** Known secret values plus token shapes → `***`. */
export class Redactor {
  private readonly secrets: string[] = [];

  add(secret: string | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH && !this.secrets.includes(secret)) {
      this.secrets.push(secret);
      // Longest first, so a secret containing another is replaced whole.
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  /** The registered values (e.g. to refuse them as `${VAR}` values in a manifest). */
  values(): readonly string[] {
    return this.secrets;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return redactTokenShapes(out);
  }
}

/** Control characters, line separators and bidi overrides: text quoted from a manifest or a server. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Shows control characters as `\xNN` / `\uNNNN`, so quoted text stays on its line and cannot drive
 * the terminal (escape sequences) or forge lines of output.
 */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
