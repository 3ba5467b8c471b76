import type { TestProject } from 'vitest/node';
import './provided-context.js';
import { installLabConfig, LabAsterisk, provisionLab, shareFakeClock } from './lab.js';

// One Asterisk for the whole lab suite: provisioned once (cached chroot), configured fresh from
// the project's asterisk-config, started before the first lab test and stopped after the last.
let asterisk: LabAsterisk | undefined;

export async function setup(project: TestProject): Promise<void> {
  const chroot = await provisionLab();
  shareFakeClock(chroot);
  installLabConfig(chroot);
  asterisk = new LabAsterisk(chroot);
  await asterisk.start();
  project.provide('labChroot', chroot);
}

export async function teardown(): Promise<void> {
  await asterisk?.stop();
}
