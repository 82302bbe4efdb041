// The document pane's first frame does not wait for the Markdown libraries (marked, marked-terminal,
// the highlighter: about half the player's code, loaded after that frame, issue 11): the section
// shows as written, then rendered once they are loaded, without a key.
import React from 'react';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { DocPane } from '../../src/ui/components/DocPane.js';
import { loadMarkdown, markdownLoaded } from '../../src/ui/markdown.js';
import { plainTheme, ThemeProvider } from '../../src/ui/theme.js';

const SECTION = '## Prepare\n\nDrain the node **first**.\n\n```bash {id=drain}\nkubectl drain web1\n```\n';

describe('document pane before and after the Markdown libraries are loaded', () => {
  it('shows the section as written in its first frame, then rendered once loaded, and the first frame is what starts the loading', async () => {
    expect(markdownLoaded()).toBe(false);
    const r = render(
      <ThemeProvider theme={plainTheme}>
        <DocPane markdown={SECTION} height={12} width={60} scroll={0} focused={false} />
      </ThemeProvider>,
    );
    const first = r.lastFrame()!;
    expect(first).toContain('## Prepare');
    expect(first).toContain('Drain the node **first**.');
    expect(first).toContain('```bash'); // the fence's attributes are left out, as the rendered pane does
    expect(first).not.toContain('{id=drain}');
    await loadMarkdown(); // the same promise the pane's first frame started
    await new Promise<void>((resolve) => setImmediate(resolve)); // React re-renders on the next turn
    const rendered = r.lastFrame()!;
    expect(rendered).toContain('Drain the node first.');
    expect(rendered).not.toContain('**first**');
    expect(rendered).not.toContain('## Prepare');
    expect(rendered).toContain('kubectl drain web1');
    r.unmount();
  });
});
