import type { InputSpec } from '../flow/schema.ts';
import { choiceInput } from './choice.ts';
import { dateInput, yearMonthInput } from './date.ts';
import { idNumberInput, mobileInput, usccInput } from './identity.ts';
import { imageInput } from './image.ts';
import { decimalInput, integerInput } from './number.ts';
import { regionInput } from './region.ts';
import { textInput } from './text.ts';
import type { InputHandler } from './types.ts';
import { yesNoInput } from './yesno.ts';

/** One handler per input type; the flow schema's `input.type` picks it. */
const HANDLERS: { [K in InputSpec['type']]: InputHandler<Extract<InputSpec, { type: K }>> } = {
  text: textInput,
  integer: integerInput,
  decimal: decimalInput,
  choice: choiceInput,
  yesno: yesNoInput,
  date: dateInput,
  yearMonth: yearMonthInput,
  mobile: mobileInput,
  idNumber: idNumberInput,
  uscc: usccInput,
  image: imageInput,
  region: regionInput,
};

export function inputHandler(spec: InputSpec): InputHandler {
  return HANDLERS[spec.type] as InputHandler;
}
