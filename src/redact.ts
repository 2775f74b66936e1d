/** Replaces known secrets (and their JSON-escaped forms) with `***`, longest first. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string): void {
    if (secret === '') return;
    this.secrets.add(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.secrets.add(escaped);
  }

  redact(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(s).join('***');
    }
    return out;
  }
}
