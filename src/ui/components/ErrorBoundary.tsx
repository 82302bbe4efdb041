import React from 'react';
import { Text } from 'ink';

interface State { readonly error?: Error }

/** Shows a rendering failure readably instead of taking the player down; resets when `resetKey` changes. */
export class ErrorBoundary extends React.Component<{ readonly resetKey: string; readonly children: React.ReactNode }, State> {
  override state: State = {};
  static getDerivedStateFromError(error: Error): State {
    return { error };
  }
  override componentDidUpdate(prev: { readonly resetKey: string }): void {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: undefined });
  }
  override render(): React.ReactNode {
    if (this.state.error) return <Text color="red">{`cannot display this: ${this.state.error.message} (this is a bug in runbook)`}</Text>;
    return this.props.children;
  }
}
