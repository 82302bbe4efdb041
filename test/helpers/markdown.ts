/** A fenced step block with its attributes, as runbooks write it. */
export const fence = (attrs: string, body: string, lang = 'bash'): string => `\`\`\`${lang} {${attrs}}\n${body}\n\`\`\`\n`;
