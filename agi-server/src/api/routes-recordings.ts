import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { NotFoundError } from '../config-service/routing-service.js';
import { recordingInfo, recordingPath } from '../media/recordings.js';
import { recordingSchema } from '../routing/recording-model.js';
import { applyChange, versionResponse } from './config-changes.js';
import { InvalidRequestError, requireSetting } from './errors.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * A call's recording (docs/recording.md): `GET /calls/{linkedId}/recording` (facts) and
 * `/calls/{linkedId}/recording.wav` (the audio), with the admin token like every route. A
 * linkedid that is not one, or that would leave SB_RECORDINGS_DIR, is a 400.
 */
export function registerRecordingRoutes(app: TypedApp, deps: AdminApiDeps): void {
  app.get(
    '/recording',
    {
      schema: {
        operationId: 'getRecording',
        summary: 'Recording rules, announcement, retention',
        tags: ['recording'],
      },
    },
    async () => deps.routing.config.recording,
  );
  app.put(
    '/recording',
    {
      schema: {
        operationId: 'putRecording',
        summary: 'Replace the recording rules (a new version)',
        tags: ['recording'],
        body: recordingSchema,
        response: { 200: versionResponse },
      },
    },
    async (request) =>
      applyChange(deps.routing, request.author, 'put recording', (config) => ({
        ...config,
        recording: request.body,
      })),
  );
  const params = z.object({ linkedId: z.string().min(1).max(200) });
  const pathOf = (linkedId: string) => {
    const dir = requireSetting(
      deps.recordingsDir,
      'SB_RECORDINGS_DIR',
      "recordings are off: set SB_RECORDINGS_DIR to Asterisk's monitor folder",
    );
    const path = recordingPath(dir, linkedId);
    if (!path)
      throw new InvalidRequestError([{ path: 'params.linkedId', message: 'not a call id (linkedid)' }]);
    return { dir, path };
  };
  app.get(
    '/calls/:linkedId/recording',
    {
      schema: {
        operationId: 'getCallRecording',
        summary: "A call's recording: size and length",
        tags: ['calls'],
        params,
      },
    },
    async (request) => {
      const { dir } = pathOf(request.params.linkedId);
      const info = await recordingInfo(dir, request.params.linkedId);
      // A call without a recording is an answer, not an error: the console asks for every call.
      if (!info) return { linkedId: request.params.linkedId, available: false };
      return { ...info, available: true, audio: `/calls/${encodeURIComponent(info.linkedId)}/recording.wav` };
    },
  );
  app.get(
    '/calls/:linkedId/recording.wav',
    {
      schema: {
        operationId: 'downloadCallRecording',
        summary: "A call's recording (audio/wav)",
        tags: ['calls'],
        params,
      },
    },
    async (request, reply) => {
      const { dir, path } = pathOf(request.params.linkedId);
      const info = await recordingInfo(dir, request.params.linkedId);
      if (!info) throw new NotFoundError(`no recording for ${request.params.linkedId}`);
      return reply
        .type('audio/wav')
        .header('content-disposition', `attachment; filename="${info.linkedId}.wav"`)
        .send(createReadStream(path));
    },
  );
}
