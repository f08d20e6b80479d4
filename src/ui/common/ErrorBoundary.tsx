import { Component } from 'react';
import type { ErrorInfo, ReactNode } from 'react';
import './notices.css';

interface State {
  error: Error | null;
}

/** Catches a crash in one part of the page and shows it there, instead of a blank screen. */
export class ErrorBoundary extends Component<{ area: string; children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.area} crashed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="notice notice-error" role="alert">
        <span>
          The {this.props.area} view hit a bug: {this.state.error.message}. Your experiment is
          unchanged.
        </span>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
