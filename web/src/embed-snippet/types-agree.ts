/**
 * Compile-time only (never imported): the shipped types (starling-embed.d.ts, self-contained for
 * hosts) must say exactly what the widget's protocol says, so `npm run check` fails if they drift.
 */
import type * as Protocol from '../lib/embed/protocol';
import type * as Shipped from './starling-embed';

/** True only when A and B are the same type (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type Message<K extends Protocol.WidgetMessage['type']> = Omit<Extract<Protocol.WidgetMessage, { type: K }>, 'type' | 'id'>;

export type _Agree = [
  Assert<Same<Shipped.RunInput, Protocol.RunInput>>,
  Assert<Same<Shipped.Role, Protocol.Role>>,
  Assert<Same<Shipped.FinishReason, Protocol.FinishReason>>,
  Assert<Same<Shipped.Usage, Protocol.Usage>>,
  Assert<Same<Shipped.ReadyInfo, Message<'starling:ready'>>>,
  Assert<Same<Shipped.RunResult, Message<'starling:done'>>>,
  Assert<Same<Shipped.WidgetEvents['resize'], Message<'starling:resize'>>>,
];
