// Common Compute's task types (targets.md A.2) and the words that suggest each, for mapping a job definition.

/** Common Compute's task types and the words in a job's name, image or command that suggest each (A.2). */
const WORKLOAD_HINTS: { workload: string; words: RegExp; input: string }[] = [
  {
    workload: "vt_transcode",
    words: /transcod|ffmpeg|hevc|h264|h265|x264|x265|prores/i,
    input: "a video file (`input_uri` or an upload) with `codec` (h264, hevc, prores), `bitrate_kbps`, `preset`",
  },
  {
    workload: "coreml_embed",
    words: /embed|bge|sentence[-_]?transformer|e5-|gte-/i,
    input: '`{"input": [texts…]}`, the model as `model_id` (default bge-small)',
  },
  {
    workload: "whisper_ane",
    words: /whisper|transcri(?!pt)|speech|asr\b|audio/i,
    input: "an audio file (`input_uri` or an upload)",
  },
  { workload: "coreml_vision", words: /\bocr\b|vision|classif|detect/i, input: "images; the shape is not published" },
  {
    workload: "mlx_llm",
    words: /\bllm\b|llama|mistral|chat|completion|qwen|generat(e|ion)-?text/i,
    input: "chat messages; the shape is not published",
  },
  {
    workload: "mlx_image",
    words: /diffusion|sdxl|flux|text-?to-?image/i,
    input: "a prompt; the shape is not published",
  },
];

/** The first workload whose words occur in `text` (a job definition's name and command), with the word matched. */
export function guessWorkloadIn(text: string): { workload: string; matched: string; input: string } | undefined {
  for (const hint of WORKLOAD_HINTS) {
    const match = hint.words.exec(text);
    if (match) return { workload: hint.workload, matched: match[0], input: hint.input };
  }
  return undefined;
}
