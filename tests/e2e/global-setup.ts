/** Generates the models the e2e tests serve, once per run, before any browser starts. */
import type { ModelName } from '../../tools/models/catalog';
import { testModel } from '../fixtures/test-models';

export default function globalSetup(): void {
  const needed: ModelName[] = ['demo', 'long', 'longLight', 'demoOldTemplate', 'demoNoEot', 'starchat', 'demoSplit', 'big1500mSparse', 'gpt5Arch', 'demoUnknownArch', 'demoXverse', 'demoMissingTensor', 'badUtf8', 'rendering'];
  for (const name of needed) testModel(name);
}
