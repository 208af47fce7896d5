import { useEffect, useRef } from 'react';
import { basicSetup, EditorView } from 'codemirror';
import { EditorState, type Extension } from '@codemirror/state';
import { python } from '@codemirror/lang-python';
import { yaml } from '@codemirror/lang-yaml';
import { json } from '@codemirror/lang-json';
import { oneDark } from '@codemirror/theme-one-dark';

export type CodeLanguage = 'python' | 'yaml' | 'json' | 'text';

const LANGUAGES: Record<CodeLanguage, () => Extension> = { python, yaml, json, text: () => [] };

interface Props {
  id: string;
  value: string;
  onChange(value: string): void;
  language: CodeLanguage;
  label?: string;
  describedBy?: string;
  readOnly?: boolean;
}

/** CodeMirror with highlighting for expressions (Python), attributes (YAML) and blueprints. */
export function CodeEditor({ id, value, onChange, language, label, describedBy, readOnly }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(undefined);
  const change = useRef(onChange);
  change.current = onChange;

  useEffect(() => {
    const dark = document.documentElement.classList.contains('pf-v6-theme-dark');
    const attributes: Record<string, string> = { id, 'aria-multiline': 'true' };
    if (label) attributes['aria-label'] = label;
    if (describedBy) attributes['aria-describedby'] = describedBy;
    view.current = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup, LANGUAGES[language](), dark ? oneDark : [], EditorView.lineWrapping,
          EditorState.readOnly.of(Boolean(readOnly)), EditorView.contentAttributes.of(attributes),
          EditorView.updateListener.of((update) => { if (update.docChanged) change.current(update.state.doc.toString()); }),
        ],
      }),
    });
    return () => view.current?.destroy();
    // The editor owns its text once created; outside changes replace it below.
  }, [language, id, readOnly]);

  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div className="ak-code-editor" ref={host} data-language={language} />;
}
