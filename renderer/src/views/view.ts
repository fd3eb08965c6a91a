/**
 * The one convention every view follows: it owns `element`, redraws from `update(data)` (data in,
 * picture out; no fetching inside a view) and frees what it holds (WebGL contexts, geometries,
 * listeners) in `dispose()`. Replacing a view always calls `dispose()` on the old one.
 */
export interface View<Data> {
  readonly element: HTMLElement;
  update(data: Data): void;
  dispose(): void;
}
