/** Hands the page's session to every component through Svelte context (set once, by the shell's mount). */
import { getContext } from 'svelte';
import type { Session } from './session.svelte';

const KEY = Symbol('starling-playground:session');

/** The context map to pass to `mount(Shell, { context })`. */
export const sessionContext = (session: Session): Map<symbol, Session> => new Map([[KEY, session]]);

/** The session, in a component's script. */
export function getSession(): Session {
  const session = getContext<Session | undefined>(KEY);
  if (!session) throw new Error('No session in context: mount the shell with sessionContext(session).');
  return session;
}
