/**
 * mmm-widgets: write a step's code into the notebook, in the cell below the widget.
 *
 * The Python side opens a comm on the target `mmm_widgets_cells` with
 * `{code, model_ids, key, execute}`. This plugin registers that target on the kernel
 * of every notebook, finds the cell whose output displays one of the widgets named by
 * `model_ids`, and writes the code below it. A cell it wrote carries the metadata
 * `mmm_widgets: {key, source}`; while its source still equals `source`, a new export
 * with the same key replaces it, and once the user has edited it, a new cell is
 * inserted instead, so user edits are never overwritten. The reply on the comm is
 * `{status: "ok", index, action}` or `{status: "error", message}`.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { CodeCell, ICellModel, isCodeCellModel } from '@jupyterlab/cells';
import {
  INotebookTracker,
  Notebook,
  NotebookPanel
} from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';

const TARGET = 'mmm_widgets_cells';
const METADATA_KEY = 'mmm_widgets';
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

/** What the Python side asks for. */
interface IWriteRequest {
  code: string;
  /** The widget that asked, then its ancestors: any of them may be the displayed one. */
  model_ids: string[];
  key: string;
  execute: boolean;
}

/** What a written cell remembers, to tell later whether the user edited it. */
interface ICellMark {
  key: string;
  source: string;
}

/** Where a request was written. */
interface IWriteResult {
  index: number;
  action: 'inserted' | 'replaced';
}

function parseRequest(data: unknown): IWriteRequest {
  const request = (data ?? {}) as Partial<IWriteRequest>;
  if (typeof request.code !== 'string' || typeof request.key !== 'string') {
    throw new Error('the request needs a string `code` and a string `key`');
  }
  const ids = Array.isArray(request.model_ids) ? request.model_ids : [];
  return {
    code: request.code,
    model_ids: ids.filter((id): id is string => typeof id === 'string'),
    key: request.key,
    execute: request.execute === true
  };
}

function markOf(cell: ICellModel): ICellMark | null {
  const mark = cell.getMetadata(METADATA_KEY) as Partial<ICellMark> | undefined;
  if (mark && typeof mark.key === 'string' && typeof mark.source === 'string') {
    return { key: mark.key, source: mark.source };
  }
  return null;
}

/** The widget model ids displayed in a cell's outputs. */
function displayedModelIds(cell: ICellModel): string[] {
  if (!isCodeCellModel(cell)) {
    return [];
  }
  const ids: string[] = [];
  for (let i = 0; i < cell.outputs.length; i++) {
    const view = cell.outputs.get(i).data[WIDGET_MIME] as
      | { model_id?: unknown }
      | undefined;
    if (view && typeof view.model_id === 'string') {
      ids.push(view.model_id);
    }
  }
  return ids;
}

/** Index of the cell displaying the innermost of `modelIds` (the last such cell), or -1. */
function findAnchor(notebook: Notebook, modelIds: string[]): number {
  const cells = notebook.model?.cells;
  if (!cells) {
    return -1;
  }
  let best = -1;
  let bestRank = Infinity;
  for (let index = 0; index < cells.length; index++) {
    for (const id of displayedModelIds(cells.get(index))) {
      const rank = modelIds.indexOf(id);
      if (rank >= 0 && rank <= bestRank) {
        best = index;
        bestRank = rank;
      }
    }
  }
  return best;
}

/**
 * Write `request.code` below the cell at `anchor`.
 *
 * The cells the kit wrote directly below the anchor form a block; an unedited cell of
 * the same key in it is replaced, otherwise a new cell goes at the end of the block.
 */
function writeBelow(
  notebook: Notebook,
  anchor: number,
  request: IWriteRequest
): IWriteResult {
  const model = notebook.model;
  if (!model) {
    throw new Error('the notebook has no model');
  }
  const mark: ICellMark = { key: request.key, source: request.code };
  let end = anchor + 1;
  while (end < model.cells.length) {
    const cell = model.cells.get(end);
    const existing = markOf(cell);
    if (!existing) {
      break;
    }
    const unedited = cell.sharedModel.getSource() === existing.source;
    if (existing.key === request.key && unedited) {
      cell.sharedModel.setSource(request.code);
      cell.setMetadata(METADATA_KEY, { ...mark });
      if (isCodeCellModel(cell)) {
        cell.outputs.clear();
        cell.executionCount = null;
      }
      return { index: end, action: 'replaced' };
    }
    end++;
  }
  model.sharedModel.insertCell(end, {
    cell_type: 'code',
    source: request.code,
    metadata: { [METADATA_KEY]: { ...mark } }
  });
  return { index: end, action: 'inserted' };
}

/** The notebook panels whose kernel is `kernel`, the current one first. */
function panelsOn(
  tracker: INotebookTracker,
  kernel: Kernel.IKernelConnection
): NotebookPanel[] {
  const panels: NotebookPanel[] = [];
  tracker.forEach(panel => {
    if (panel.sessionContext.session?.kernel?.id === kernel.id) {
      panels.push(panel);
    }
  });
  const current = tracker.currentWidget;
  return panels.sort((a, b) => Number(b === current) - Number(a === current));
}

function handleRequest(
  tracker: INotebookTracker,
  kernel: Kernel.IKernelConnection,
  request: IWriteRequest
): IWriteResult {
  const panels = panelsOn(tracker, kernel);
  let target: NotebookPanel | undefined;
  let anchor = -1;
  for (const panel of panels) {
    anchor = findAnchor(panel.content, request.model_ids);
    if (anchor >= 0) {
      target = panel;
      break;
    }
  }
  if (!target) {
    target = panels[0];
    if (!target) {
      throw new Error('no open notebook uses this kernel');
    }
    anchor = target.content.activeCellIndex;
  }
  const result = writeBelow(target.content, anchor, request);
  if (request.execute) {
    const cell = target.content.widgets[result.index];
    if (cell instanceof CodeCell) {
      void CodeCell.execute(cell, target.sessionContext);
    }
  }
  return result;
}

/** Comm ids already answered: one browser page answers each request once. */
const answered = new Set<string>();

function registerTarget(
  tracker: INotebookTracker,
  kernel: Kernel.IKernelConnection | null | undefined
): void {
  if (!kernel) {
    return;
  }
  // Registering again replaces the callback: harmless when a kernel is seen twice.
  kernel.registerCommTarget(
    TARGET,
    (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg) => {
      if (answered.has(comm.commId)) {
        return;
      }
      answered.add(comm.commId);
      try {
        const request = parseRequest(msg.content.data);
        const result = handleRequest(tracker, kernel, request);
        comm.send({ status: 'ok', index: result.index, action: result.action });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        comm.send({ status: 'error', message });
      }
      comm.close();
    }
  );
}

function watchPanel(tracker: INotebookTracker, panel: NotebookPanel): void {
  const context = panel.sessionContext;
  context.kernelChanged.connect((_, change) =>
    registerTarget(tracker, change.newValue)
  );
  void context.ready.then(() => registerTarget(tracker, context.session?.kernel));
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'mmm-widgets:cell-writer',
  description: 'Writes the code of an mmm-widgets step into the cell below the widget.',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker): void => {
    tracker.forEach(panel => watchPanel(tracker, panel));
    tracker.widgetAdded.connect((_, panel) => watchPanel(tracker, panel));
  }
};

export default plugin;
