/**
 * The widget's hint when it runs on one thread: a frame is cross-origin isolated only when the page
 * around it is too (sw-register.ts planIsolation), so many host pages give it one thread. The long
 * reason sw-register.ts published stays available as the hint's detail.
 */
import type { IsolationState } from '../sw-register';

export interface ThreadsHint {
  text: string;
  detail: string;
}

export function threadsHint(isolated: boolean, state: IsolationState | undefined): ThreadsHint | null {
  if (isolated) return null;
  return {
    text: '1 thread: this browser cannot isolate the frame, so replies are slower.',
    detail: state?.reason ? `Not cross-origin isolated: ${state.reason}.` : 'Not cross-origin isolated: the app runs single-threaded.',
  };
}
