import { useState } from 'react';
import { Button, InputGroup, InputGroupItem, TextInput } from '@patternfly/react-core';
import EyeIcon from '@patternfly/react-icons/dist/esm/icons/eye-icon';
import EyeSlashIcon from '@patternfly/react-icons/dist/esm/icons/eye-slash-icon';

interface Props {
  id: string;
  name: string;
  value: string;
  onChange(value: string): void;
  autoComplete: string;
  invalid?: boolean;
  autoFocus?: boolean;
  required?: boolean;
  placeholder?: string;
  describedBy?: string;
}

/** A password field with a show/hide toggle, as authentik's password stage has. */
export function PasswordInput({ id, name, value, onChange, autoComplete, invalid, autoFocus, required, placeholder, describedBy }: Props) {
  const [visible, setVisible] = useState(false);
  return (
    <InputGroup>
      <InputGroupItem isFill>
        <TextInput
          id={id} name={name} type={visible ? 'text' : 'password'} value={value} onChange={(_event, v) => onChange(v)}
          autoComplete={autoComplete} validated={invalid ? 'error' : 'default'} autoFocus={autoFocus} isRequired={required}
          placeholder={placeholder} aria-describedby={describedBy} spellCheck={false} autoCapitalize="off"
        />
      </InputGroupItem>
      <InputGroupItem>
        <Button variant="control" type="button" aria-label={visible ? 'Hide password' : 'Show password'} aria-pressed={visible} onClick={() => setVisible(!visible)}>
          {visible ? <EyeSlashIcon /> : <EyeIcon />}
        </Button>
      </InputGroupItem>
    </InputGroup>
  );
}
