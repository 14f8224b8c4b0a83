/**
 * Reads a model's vocabulary and chat template from its GGUF header and works out what the app
 * needs before loading it: the chat family, the default template, the model card check, the
 * embedded template comparison, and llama.cpp key overrides (an end-of-turn token that the GGUF
 * does not mark as end-of-generation is made the EOT token).
 */
import { compareEmbeddedTemplate, type EmbeddedTemplateReport } from '../templates/compare';
import { defaultTemplate, detectFamily } from '../templates/family';
import type { TemplateId } from '../templates/index';
import { runCardCheck, type TemplateCheck } from '../tokenizer/card-check';
import { readGgufVocab } from '../tokenizer/gguf-vocab';
import { Attr, type Vocab } from '../tokenizer/vocab';

/** What the app learned from the model's vocabulary and metadata at load. */
export interface ModelProfile {
  family: 'openchat' | 'starchat' | null;
  defaultTemplate: TemplateId;
  templateCheck: TemplateCheck;
  embedded: EmbeddedTemplateReport;
  /** Texts of control and user-defined tokens, to highlight in prompts. */
  specialTokens: string[];
  bosText: string;
  eosText: string;
  /** The GGUF did not mark the end-of-turn token as end-of-generation; the app told llama.cpp to. */
  eotOverride: string | null;
}

export interface ProfiledModel {
  vocab: Vocab;
  profile: ModelProfile;
  kvOverrides: Record<string, string>;
}

const END_OF_TURN_TEXT = { openchat: '<|end_of_turn|>', starchat: '<|end|>' } as const;

export async function profileModel(firstFile: Blob): Promise<ProfiledModel> {
  const { vocab, chatTemplate } = await readGgufVocab(firstFile);
  const family = detectFamily(vocab.tokenToId);
  const template = defaultTemplate(family, chatTemplate !== null);
  const text = (id: number | null): string => (id === null ? '' : (vocab.tokens[id] ?? ''));

  const kvOverrides: Record<string, string> = {};
  let eotOverride: string | null = null;
  if (family) {
    const eot = vocab.tokenToId.get(END_OF_TURN_TEXT[family]);
    if (eot !== undefined && !vocab.eogIds.has(eot)) {
      kvOverrides['tokenizer.ggml.eot_token_id'] = `int:${eot}`;
      eotOverride = END_OF_TURN_TEXT[family];
    }
  }

  const specialTokens: string[] = [];
  for (const id of vocab.specialTokens) {
    if (vocab.attrs[id] & (Attr.Control | Attr.UserDefined) && vocab.tokens[id]) specialTokens.push(vocab.tokens[id]);
    if (specialTokens.length >= 512) break;
  }

  return {
    vocab,
    kvOverrides,
    profile: {
      family,
      defaultTemplate: template,
      templateCheck: runCardCheck(vocab),
      embedded: compareEmbeddedTemplate(chatTemplate, template, { bos: text(vocab.bosId), eos: text(vocab.eosId) }),
      specialTokens,
      bosText: text(vocab.bosId),
      eosText: text(vocab.eosId),
      eotOverride,
    },
  };
}
