// The forms a secret is searched for in artifacts, computed here independently of src/: the value,
// the base64 of the value alone (whole 4-character groups), its hex and its URL-encoding.
export function encodedForms(value: string): [string, string][] {
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  const whole = b64.slice(0, Math.floor(Buffer.byteLength(value) / 3) * 4);
  const hex = Buffer.from(value, 'utf8').toString('hex');
  return [
    ['clear', value],
    ['base64', whole],
    ['hex', hex],
    ['HEX', hex.toUpperCase()],
    ['url-encoded', encodeURIComponent(value)],
  ];
}
