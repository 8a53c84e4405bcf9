import { describe, expect, it } from 'vitest';
import { errorMessage, PromptOutsideImageError } from '../core/errors';

describe('errorMessage', () => {
  it('reads errors, strings and objects', () => {
    expect(errorMessage(new Error('x'))).toBe('x');
    expect(errorMessage('y')).toBe('y');
    expect(errorMessage({ message: 'z' })).toBe('z');
    expect(errorMessage(3)).toBe('3');
  });

  it('falls back to the name of an error without a message', () => {
    expect(errorMessage(new TypeError())).toBe('TypeError');
  });
});

describe('PromptOutsideImageError', () => {
  it('is an Error with a readable message, optionally with detail', () => {
    const plain = new PromptOutsideImageError();
    expect(plain).toBeInstanceOf(Error);
    expect(plain.message).toBe('every prompt lies outside the image');
    expect(new PromptOutsideImageError('640x480').message).toBe('every prompt lies outside the image (640x480)');
  });
});
