/** Replaces known secrets (and their JSON-escaped forms) with `***`, longest first. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string): void {
    if (secret === '') return;
    this.secrets.add(secret);
    // Its JSON-escaped form (the same string, for most secrets: the set keeps one).
    this.secrets.add(JSON.stringify(secret).slice(1, -1));
  }

  redact(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(s).join('***');
    }
    return out;
  }
}
