// Rating an agent's reply: one click on 👍 or 👎, then an optional comment. POST /ratings needs no sign-in:
// the reply-specific signature (from the ticket, or carried by the mail's link) is the credential.
// The rating page #/rate/<n>/<message>/<signature>/<good|bad> records the mail's choice as it opens.
import {h} from '../shared/dom.js';
import {t} from '../shared/i18n.js';
import {banner, describeError} from '../shared/forms.js';
import {formatNumber} from '../shared/format.js';

const CHOICES = [['good', '👍'], ['bad', '👎']];

export class RatingControls {
  /** rating: what the API reported ({rating, comment} | null); onChange(): re-render; onSaved(rating). */
  constructor({api, ticket, message, signature, rating = null, onChange, onSaved = () => {}}) {
    Object.assign(this, {api, ticket, message, signature, onChange, onSaved});
    this.rating = rating ? rating.rating : null;
    this.comment = (rating && rating.comment) || '';
    this.draft = this.comment;
    this.busy = false;
    this.saved = null; // the key of the last confirmation, for the status line
    this.failure = null; // 'invalid' | 'closed' | an ApiError
  }

  get closed() {
    return this.failure === 'closed';
  }

  /** confirmation: the key of the thanks to show once saved. */
  async save(rating, comment, confirmation) {
    if (this.busy) return;
    this.busy = true;
    this.onChange();
    try {
      const body = {ticket: this.ticket, message: this.message, signature: this.signature, rating};
      if (comment !== null) body.comment = comment; // null: keep the comment the rating has (a mail link)
      const answer = await this.api.post('/ratings', body);
      this.rating = answer.rating;
      this.comment = answer.comment || '';
      this.draft = this.comment;
      this.failure = null;
      this.saved = confirmation;
      this.onSaved(this.rating);
    } catch (error) {
      this.saved = null;
      if (error.fields && error.fields.ticket === 'reply_window_closed') this.failure = 'closed';
      else this.failure = error.status === 404 ? 'invalid' : error;
    } finally {
      this.busy = false;
      this.onChange();
    }
  }

  choose(rating) {
    return this.save(rating, null, 'rate.saved');
  }

  sendComment() {
    return this.save(this.rating, this.draft.trim(), 'rate.comment_saved');
  }

  failureText() {
    if (this.failure === 'closed') return t('rate.closed');
    if (this.failure === 'invalid') return t('rate.invalid');
    return this.failure ? describeError(this.failure) : '';
  }

  /** readOnly: the reply window is over, so the rating can only be shown. */
  render({readOnly = false} = {}) {
    const id = `rate-${this.message}`;
    if (readOnly || this.closed) {
      if (!this.rating) return null;
      const [, emoji] = CHOICES.find(([value]) => value === this.rating);
      return h('p', {class: 'rating rating-done', 'data-testid': 'rating', 'data-rating': this.rating},
        t('rate.your_rating'), ' ', h('span', {'aria-hidden': 'true'}, emoji), ' ', t(`rate.${this.rating}`));
    }
    return h('div', {class: 'rating', role: 'group', 'aria-labelledby': `${id}-question`, 'data-testid': 'rating',
      'data-rating': this.rating || '', 'aria-busy': String(this.busy)},
    h('p', {class: 'rating-question', id: `${id}-question`}, t('rate.question')),
    h('div', {class: 'rating-choices'},
      CHOICES.map(([value, emoji]) => h('button', {
        type: 'button', id: `${id}-${value}`, class: `rating-choice rating-${value}`,
        'aria-pressed': String(this.rating === value), 'aria-disabled': this.busy ? 'true' : null,
        'data-testid': `rate-${value}`, onclick: () => this.choose(value),
      }, h('span', {'aria-hidden': 'true'}, emoji), ' ', t(`rate.${value}`)))),
    this.rating ? this.renderComment(id) : null,
    h('p', {class: 'rating-status', role: 'status', 'data-testid': 'rating-status'}, this.saved ? t(this.saved) : ''),
    this.failure ? h('p', {class: 'field-error', role: 'alert', 'data-testid': 'rating-error'}, this.failureText()) : null);
  }

  renderComment(id) {
    const textarea = h('textarea', {id: `${id}-comment`, dir: 'auto', rows: 3, maxlength: 2000, value: this.draft,
      'data-testid': 'rate-comment'});
    textarea.addEventListener('input', () => { this.draft = textarea.value; });
    return h('div', {class: 'field rating-comment'},
      h('label', {for: textarea.id}, t('rate.comment')),
      textarea,
      h('button', {type: 'button', class: 'secondary', id: `${id}-send-comment`, 'data-testid': 'rate-comment-save',
        'aria-disabled': this.busy ? 'true' : null, onclick: () => this.sendComment()}, t('rate.comment_save')));
  }
}

/** The page a rating link from the mail opens: it records the rating at once and offers to change it. */
export function rateLinkView({api, rerender, number, message, signature, rating, signedIn}) {
  const controls = new RatingControls({
    api, ticket: Number(number), message, signature, onChange: rerender,
    // Keep the address in step with the choice, so a reload records what is shown.
    onSaved: (chosen) => history.replaceState(null, '',
      `#/rate/${number}/${encodeURIComponent(message)}/${encodeURIComponent(signature)}/${chosen}`),
  });
  let started = false;

  function render() {
    const recorded = controls.rating !== null;
    return h('section', {class: 'card', 'data-testid': 'rate-page'},
      h('h1', {}, t('rate.title')),
      !recorded && controls.failure ? banner({text: controls.failureText()}) : null,
      !recorded && !controls.failure ? h('p', {'aria-busy': 'true'}, t('rate.recording')) : null,
      recorded ? h('p', {class: 'banner banner-ok', 'data-testid': 'rate-recorded'},
        t('rate.recorded', {number: formatNumber(number)})) : null,
      recorded ? controls.render() : null,
      h('div', {class: 'actions'},
        !recorded && controls.failure && !['invalid', 'closed'].includes(controls.failure)
          ? h('button', {type: 'button', class: 'primary', onclick: () => controls.choose(rating)}, t('common.retry'))
          : null,
        h('a', {class: 'button secondary', href: signedIn ? `#/tickets/${number}` : '#/tickets'},
          signedIn ? t('rate.open_ticket') : t('customer.my_tickets'))));
  }

  return {
    page: 'rate',
    render,
    start() {
      if (started) return;
      started = true;
      controls.choose(rating);
    },
  };
}
