import type { Definition } from '../api/contracts.ts';

/** How each figure is computed, in the installation's own terms. */
export function Definitions({ definitions, id = 'definitions' }: { definitions: readonly Definition[]; id?: string }) {
  if (definitions.length === 0) return null;
  return (
    <dl className="bw-kv" data-testid={id}>
      {definitions.map((definition) => (
        <div key={definition.key} style={{ display: 'contents' }} data-testid={`definition-${definition.key}`}>
          <dt>{definition.name}</dt>
          <dd>{definition.text}</dd>
        </div>
      ))}
    </dl>
  );
}

export const definitionOf = (definitions: readonly Definition[], ...keys: string[]): string | undefined =>
  definitions.find((definition) => keys.includes(definition.key))?.text;
