/**
 * The workspace's state: the open model, its weights, the data set, the selected run and the
 * eigenvalues picked in it. Views read it and subscribe; only actions change it. What identifies
 * the workspace (paths on the engine's machine, the selected run) is saved in localStorage, so a
 * reload reopens what was open.
 */
import type { OpenedModel, WeightsReport } from '../../src/api/contract';

export interface DataChoice {
  /** Where the engine reads it (an uploaded copy in a browser). */
  path: string;
  /** What the user calls it (the file they chose). */
  name: string;
}

export interface WorkspaceState {
  model: OpenedModel | null;
  weights: WeightsReport | null;
  /** The name of the checkpoint the user dropped (the report names the engine's copy). */
  weightsName: string | null;
  data: DataChoice | null;
  /** The run shown in the main area; null shows the model card. */
  selectedRun: string | null;
  /** Eigenvector labels picked in the selected run's spectrum (top1, bottom2, ...), at most two. */
  pickedEigen: string[];
}

/** What survives a reload: enough to reopen, nothing that must be recomputed. */
export interface SavedWorkspace {
  modelPath: string | null;
  weightsPath: string | null;
  weightsName: string | null;
  data: DataChoice | null;
  selectedRun: string | null;
}

const KEY = 'saddle.workspace.v1';

export type Listener = (state: WorkspaceState, previous: WorkspaceState) => void;

export interface Store {
  get(): WorkspaceState;
  set(patch: Partial<WorkspaceState>): void;
  subscribe(listener: Listener): () => void;
  saved(): SavedWorkspace | null;
}

/** localStorage, or a stand-in (tests run without a DOM). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function createStore(
  storage: KeyValueStorage | null = (globalThis as { localStorage?: KeyValueStorage }).localStorage ?? null,
): Store {
  let state: WorkspaceState = {
    model: null,
    weights: null,
    weightsName: null,
    data: null,
    selectedRun: null,
    pickedEigen: [],
  };
  const listeners = new Set<Listener>();
  const save = () => {
    const saved: SavedWorkspace = {
      modelPath: state.model?.info.file ?? null,
      weightsPath: state.weights?.file ?? null,
      weightsName: state.weightsName,
      data: state.data,
      selectedRun: state.selectedRun,
    };
    try {
      storage?.setItem(KEY, JSON.stringify(saved));
    } catch {
      // Storage full or disabled: the workspace simply does not survive a reload.
    }
  };
  return {
    get: () => state,
    set(patch) {
      const previous = state;
      state = { ...state, ...patch };
      // A new model drops what belonged to the old one.
      if (patch.model !== undefined && patch.model?.modelId !== previous.model?.modelId && !('weights' in patch))
        state = { ...state, weights: null, weightsName: null };
      if (patch.selectedRun !== undefined && patch.selectedRun !== previous.selectedRun && !('pickedEigen' in patch))
        state = { ...state, pickedEigen: [] };
      save();
      for (const l of listeners) l(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    saved() {
      try {
        const text = storage?.getItem(KEY);
        return text ? (JSON.parse(text) as SavedWorkspace) : null;
      } catch {
        return null;
      }
    },
  };
}
