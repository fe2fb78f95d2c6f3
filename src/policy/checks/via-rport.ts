/**
 * via-rport: a customer-side request whose top Via carries rport (RFC 3581 §4): the customer
 * asks for responses to go back to the address and port the request came from, the usual sign of
 * a UA behind NAT. Only the customer side is judged: the carrier's Via is the carrier's own
 * business, and reporting it would tag every carrier request.
 * Responses are not judged: their top Via is the proxy's or the far end's, not the sender's.
 * In-dialog requests (a To tag: ACK, BYE, re-INVITE...) are not judged either: stacks that use
 * rport put it on every request, so the dialog-creating request says it once per call.
 */
import type { Check } from '../check.js';
import { nonPublicClass, parseIp } from '../cidr.js';
import { observation } from './media-helpers.js';

const IN_DIALOG_TO = /;\s*tag\s*=/i;

// RFC 3581 §4: rport asks for responses sent back to the source address and port.
export const viaRport: Check = {
  name: 'via-rport',
  scope: 'message',
  run(context) {
    const { message } = context;
    const via = message.topVia;
    if (context.side !== 'customer' || message.kind !== 'request' || via === null || via.rport === null)
      return [];
    // RFC 3261 §12.2.1.1: a request inside a dialog carries the remote tag in To.
    if (IN_DIALOG_TO.test(message.header('to') ?? '')) return [];
    // RFC 3581 §4: rport asks for symmetric response routing (a NAT indicator).
    const host = via.host.replace(/^\[|\]$/g, '');
    const ip = parseIp(host);
    const addressClass = ip === null ? null : nonPublicClass(ip);
    const behind = addressClass === null ? '' : `; its sent-by ${host} is a ${addressClass} address`;
    const field = message.headerFields('via')[0];
    const topValue = message.headerValues('via')[0];
    return [
      observation(
        'via-rport',
        `${message.method ?? 'request'} top Via asks for rport (symmetric response routing): the sender is likely behind NAT${behind}`,
        null,
        field === undefined || topValue === undefined ? null : `${field.rawName}: ${topValue}`,
      ),
    ];
  },
};
