import type { ReactNode } from 'react';
import './card.css';

interface CardProps {
  title: string;
  /** One line under the title saying what this card is for. */
  subtitle?: string;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
}

/** A titled panel: the unit the three columns are made of. */
export function Card({ title, subtitle, actions, children, testId }: CardProps) {
  return (
    <section className="card" data-testid={testId} aria-label={title}>
      <header className="card-header">
        <div>
          <h2>{title}</h2>
          {subtitle && <p className="card-subtitle">{subtitle}</p>}
        </div>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
