import { describe, expect, it, vi } from 'vitest';

// The highlighter only runs (and only complains) when colours are on: force them before loading.
process.env.FORCE_COLOR = '1';
const { loadMarkdown, renderMarkdown, stripFenceAttributes } = await import('../../src/ui/markdown.js');
await loadMarkdown();

describe('document pane markdown', () => {
  it('keeps only the language of a fence info string', () => {
    expect(stripFenceAttributes('```bash {id=x unless="test -d /a"}\nls\n```\n~~~ text {file=/a}\nx\n~~~')).toBe('```bash\nls\n```\n~~~text\nx\n~~~');
  });

  it('renders a step fence with attributes without writing anything to stderr (which would scribble over the UI)', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = renderMarkdown('## Step\n\n```bash {id=qs-make-workdir unless=\'test -d "{{ workdir }}"\'}\nmkdir -p "{{ workdir }}"\n```\n', 80, true);
      expect(out).toContain('mkdir -p "{{ workdir }}"');
      expect(err).not.toHaveBeenCalled();
      expect(write).not.toHaveBeenCalled();
    } finally {
      err.mockRestore();
      write.mockRestore();
    }
  });
});
