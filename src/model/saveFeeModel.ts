import type { LayersModel } from '@tensorflow/tfjs'
import { ModelFilesError } from './errors.js'
import type { ModelMeta } from './modelFiles.js'
import { writeModelFiles } from './modelFiles.js'
import type { TfRuntime } from './tfRuntime.js'

export type SaveFeeModelParameters = {
  runtime: TfRuntime
  tfModel: LayersModel
  meta: ModelMeta
  dir: string
}

/** Saves through a TF.js save handler, so model.json / weights.bin are exactly TF.js's own format. */
export async function saveFeeModel({ runtime, tfModel, meta, dir }: SaveFeeModelParameters): Promise<void> {
  let saved: Parameters<typeof writeModelFiles>[1]['artifacts'] | undefined
  await tfModel.save(
    runtime.tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  if (!saved) throw new ModelFilesError(dir, 'TF.js produced no artifacts to save')
  await writeModelFiles(dir, { artifacts: saved, meta })
}
