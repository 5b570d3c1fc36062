// Attachments: choosing files, checking them against the catalog's limits before anything is sent,
// uploading each one (POST /uploads, then the presigned multipart POST straight to storage) with
// progress, and the links that open stored attachments.
import {h} from './dom.js';
import {fieldError, isolate, t} from './i18n.js';
import {formatBytes, formatNumber} from './format.js';
import {ApiError} from './api.js';
import {shown} from './forms.js';

const TYPE_LABELS = {
  'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'image/gif': 'GIF', 'image/webp': 'WebP',
  'text/plain': 'TXT', 'application/zip': 'ZIP',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'XLSX',
};

// A file is checked when it lands in storage, a moment after its upload ends: while the API says only that
// some files are `not_ready`, the message is sent again after these pauses (about 12 s in all).
const CHECK_RETRY_DELAYS_MS = [500, 1000, 1500, 2000, 3000, 4000];

/** True when a refusal says nothing but "these files are not checked yet". */
export function onlyNotReady(error) {
  const fields = Object.entries((error instanceof ApiError && error.status === 400 && error.fields) || {});
  return fields.length > 0 && fields.every(([path, code]) => path.startsWith('attachments.') && code === 'not_ready');
}

function typeList(limits) {
  return isolate([...new Set(limits.allowed_types.map((type) => TYPE_LABELS[type] || type))].join(t('list.separator')));
}

export class AttachmentPicker {
  /** id: the file input's id; onChange: called when the view should re-render. */
  constructor({id, testid, onChange}) {
    this.id = id;
    this.testid = testid || id;
    this.onChange = onChange;
    this.limits = null;
    this.entries = []; // {file, uploadId, progress, uploading, error: {text}|null, progressEl}
    this.error = null; // about the whole set (count, total), as {text}
    this.busy = false;
    this.checking = false; // the message waits for files still being checked (sendWhenChecked)
  }

  get uploadIds() {
    return this.entries.map((e) => e.uploadId);
  }

  add(files) {
    for (const file of files) this.entries.push({file, uploadId: null, progress: 0, error: null});
    this.check();
    this.onChange();
  }

  remove(index) {
    this.entries.splice(index, 1);
    this.check();
    this.onChange();
  }

  clear() {
    this.entries = [];
    this.error = null;
  }

  /** Client-side checks against catalog.limits. Returns true when the set may be uploaded. */
  check() {
    const limits = this.limits;
    this.error = null;
    if (!limits) return true;
    let ok = true;
    for (const entry of this.entries) {
      const {file} = entry;
      entry.error = null;
      if (!limits.allowed_types.includes(file.type)) {
        entry.error = {text: () => t('attach.not_allowed', {types: typeList(limits)})};
      } else if (file.size > limits.max_file_bytes) {
        entry.error = {text: () => t('attach.file_too_large', {size: formatBytes(file.size), limit: formatBytes(limits.max_file_bytes)})};
      } else if (file.size === 0) {
        entry.error = {text: () => t('attach.empty')};
      }
      if (entry.error) ok = false;
    }
    const total = this.entries.reduce((sum, e) => sum + e.file.size, 0);
    if (this.entries.length > limits.max_files) {
      this.error = {text: () => t('attach.too_many', {max: formatNumber(limits.max_files), count: formatNumber(this.entries.length)})};
    } else if (total > limits.max_message_bytes) {
      this.error = {text: () => t('attach.total_too_large', {total: formatBytes(total), limit: formatBytes(limits.max_message_bytes)})};
    }
    return ok && !this.error;
  }

  /** Field errors the API reported for this set: [{path: 'attachments.1', code}] (see sortFieldErrors). */
  applyServerErrors(errors) {
    for (const {path, code} of errors) {
      const index = Number(path.split('.')[1]);
      const entry = Number.isInteger(index) ? this.entries[index] : null;
      if (entry) {
        entry.error = {text: () => fieldError(code)};
        if (code === 'not_uploaded') entry.uploadId = null; // try the upload again on the next submit
      } else {
        this.error = {text: () => fieldError(code)};
      }
    }
  }

  /** Upload every file not uploaded yet, one at a time. Throws ApiError on the first failure. */
  async upload(api) {
    this.busy = true;
    this.onChange();
    try {
      for (const entry of this.entries) {
        if (entry.uploadId) continue;
        entry.error = null;
        entry.uploading = true;
        this.onChange();
        try {
          entry.uploadId = await uploadFile(api, entry.file, (fraction) => {
            entry.progress = fraction;
            if (entry.progressEl) entry.progressEl.value = fraction; // no re-render per progress event
          });
        } catch (error) {
          const code = error instanceof ApiError && Object.values(error.fields)[0];
          entry.error = {text: () => (code ? fieldError(code) : t('attach.upload_failed'))};
          throw error;
        } finally {
          entry.uploading = false;
        }
      }
    } finally {
      this.busy = false;
      this.onChange();
    }
    return this.uploadIds;
  }

  /** Send the message that carries this set (`send` posts it and returns its answer), waiting for files that
   * are still being checked: retried while the only refusal is `not_ready`, then that refusal is thrown. */
  async sendWhenChecked(send) {
    try {
      for (const delay of CHECK_RETRY_DELAYS_MS) {
        try {
          return await send();
        } catch (error) {
          if (!onlyNotReady(error)) throw error;
        }
        if (!this.checking) {
          this.checking = true;
          this.onChange();
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      return await send();
    } finally {
      if (this.checking) {
        this.checking = false;
        this.onChange();
      }
    }
  }

  render({label = t('attach.label'), disabled = false} = {}) {
    const limits = this.limits;
    // The native file input is visually hidden (its "Choose Files / No file chosen" is in the browser's
    // language, not the page's) but stays focusable; the label below is its visible button.
    const input = h('input', {
      type: 'file', id: this.id, multiple: true, class: 'file-input', 'data-testid': this.testid, disabled: disabled || this.busy,
      accept: limits ? limits.allowed_types.join(',') : null,
      onchange: (event) => {
        const files = [...event.target.files];
        event.target.value = ''; // so the same file can be chosen again after removing it
        this.add(files);
      },
    });
    const hintId = `${this.id}-hint`;
    const errorId = `${this.id}-error`;
    const invalid = this.error || this.entries.some((e) => e.error);
    input.setAttribute('aria-describedby', invalid ? `${hintId} ${errorId}` : hintId);
    if (invalid) input.setAttribute('aria-invalid', 'true');
    const hint = limits ? t('attach.hint', {
      max: formatNumber(limits.max_files), file: formatBytes(limits.max_file_bytes), total: formatBytes(limits.max_message_bytes),
      types: typeList(limits),
    }) : '';
    return h('div', {class: `field attachments${invalid ? ' invalid' : ''}`},
      h('label', {for: this.id}, label),
      h('p', {class: 'hint', id: hintId}, hint),
      input,
      h('label', {for: this.id, class: 'button secondary file-button'}, t('attach.choose')),
      this.entries.length ? h('ul', {class: 'file-list', 'data-testid': `${this.testid}-list`},
        this.entries.map((entry, index) => this.renderEntry(entry, index, disabled))) : null,
      // role=alert: problems found when files are picked are announced at once, not only on submit.
      h('div', {id: errorId, role: 'alert', class: 'field-error-slot'},
        this.error ? h('p', {class: 'field-error', 'data-testid': `${this.testid}-error`}, shown(this.error.text)) : null,
        invalid && !this.error ? h('p', {class: 'field-error'}, t('attach.fix_files')) : null));
  }

  renderEntry(entry, index, disabled) {
    const name = entry.file.name;
    const progress = h('progress', {max: 1, value: entry.uploadId ? 1 : entry.progress,
      'aria-label': t('attach.progress', {name: isolate(name)})});
    entry.progressEl = progress;
    const uploaded = this.checking ? t('attach.checking') : t('attach.uploaded');
    const status = entry.uploadId ? uploaded : entry.uploading ? t('attach.uploading') : '';
    return h('li', {class: `file${entry.error ? ' invalid' : ''}`, 'data-testid': 'attachment-item'},
      h('span', {class: 'file-name', dir: 'auto'}, name),
      h('span', {class: 'file-size'}, formatBytes(entry.file.size)),
      entry.uploading || entry.uploadId ? progress : null,
      status ? h('span', {class: 'file-status'}, status) : null,
      h('button', {type: 'button', class: 'link-button', disabled: disabled || this.busy,
        'aria-label': t('attach.remove_named', {name: isolate(name)}), onclick: () => this.remove(index)}, t('attach.remove')),
      entry.error ? h('p', {class: 'field-error'}, shown(entry.error.text)) : null);
  }
}

/** POST /uploads for a grant, then the multipart POST (every grant field, then the file as `file`). */
async function uploadFile(api, file, onProgress) {
  const grant = await api.post('/uploads', {filename: file.name, content_type: file.type, size: file.size});
  const form = new FormData();
  for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
  form.append('file', file);
  // XMLHttpRequest rather than fetch: fetch reports no upload progress.
  await new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', grant.url);
    xhr.upload.addEventListener('progress', (e) => e.lengthComputable && onProgress(e.loaded / e.total));
    xhr.addEventListener('load', () => (xhr.status >= 200 && xhr.status < 300
      ? resolve() : reject(new ApiError(xhr.status >= 500 ? xhr.status : 502, null))));
    xhr.addEventListener('error', () => reject(new ApiError(0, null)));
    xhr.send(form);
  });
  onProgress(1);
  return grant.upload_id;
}

/** A stored attachment: asks the API for a short-lived URL when clicked, then opens it. */
export function attachmentLink(attachment, fetchUrl, onError) {
  return h('li', {class: 'attachment', 'data-testid': 'attachment-link-item'},
    h('button', {
      type: 'button', class: 'link-button', 'data-testid': 'attachment-link', 'data-attachment-id': attachment.id,
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        try {
          const {url} = await fetchUrl(attachment.id);
          button.dataset.url = url;
          const a = h('a', {href: url, target: '_blank', rel: 'noopener'});
          document.body.append(a);
          a.click();
          a.remove();
        } catch (error) {
          onError(error);
        } finally {
          button.disabled = false;
        }
      },
    }, h('span', {dir: 'auto'}, attachment.filename)),
    ' ', h('span', {class: 'file-size'}, `(${formatBytes(attachment.size)})`));
}
