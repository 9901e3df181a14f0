import { type DevchainState, writeDevchainState } from './devchainState.js'

export type CreateHeadSaverParameters = {
  /** Where devchain.json goes. */
  dir: string
  /** The state to save now (the current head). */
  state: () => DevchainState
  onNotice: (message: string) => void
}

export type HeadSaver = {
  /** Saves the head soon: one small atomic write at a time, a burst of blocks coalescing into one. */
  save(): void
  /** Resolves once nothing is left to save. */
  flushed(): Promise<void>
}

/** Keeps the chain's head in its state directory, so a restarted devchain continues the same chain. */
export function createHeadSaver({ dir, state, onNotice }: CreateHeadSaverParameters): HeadSaver {
  let saving: Promise<void> | undefined
  let unsaved = false
  return {
    save() {
      unsaved = true
      saving ??= (async () => {
        while (unsaved) {
          unsaved = false
          await writeDevchainState(dir, state()).catch((error: Error) =>
            onNotice(`cannot save the chain's head in ${dir}: ${error.message}`),
          )
        }
        saving = undefined
      })()
    },
    flushed: async () => {
      await saving
    },
  }
}
