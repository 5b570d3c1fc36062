// The messages of a ticket, for both sites. Customer and agent messages look different, and internal
// notes (agents only; the customer API never sends them) are labelled and styled apart.
import {h} from './dom.js';
import {t} from './i18n.js';
import {formatDateTime} from './format.js';
import {attachmentLink} from './attachments.js';

export function timeline(messages, {fetchAttachmentUrl, onError}) {
  return h('ol', {class: 'timeline', 'data-testid': 'message-list'},
    messages.map((m) => {
      const internal = m.visibility === 'internal';
      const kind = internal ? 'internal' : m.author.kind;
      return h('li', {
        class: `msg msg-${kind}`, 'data-testid': 'message', 'data-visibility': m.visibility,
        'data-author-kind': m.author.kind, 'data-message-id': m.id,
      },
      h('header', {class: 'msg-head'},
        internal ? h('span', {class: 'badge badge-internal', 'data-testid': 'internal-label'}, t('msg.internal')) : null,
        h('span', {class: 'msg-author', dir: 'auto'}, m.author.name),
        h('span', {class: 'msg-role'}, t(`msg.author.${m.author.kind}`)),
        h('time', {datetime: m.created_at, class: 'msg-date'}, formatDateTime(m.created_at))),
      h('p', {class: 'msg-text', dir: 'auto', 'data-testid': 'message-text'}, m.text),
      m.attachments && m.attachments.length ? h('ul', {class: 'attachment-list', 'aria-label': t('attach.list')},
        m.attachments.map((a) => attachmentLink(a, fetchAttachmentUrl, onError))) : null);
    }));
}
