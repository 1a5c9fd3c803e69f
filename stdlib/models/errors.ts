// The error a model definition raises when its parameters cannot describe a network (a stride that
// shrinks the image to nothing, a width the heads do not divide, ...). The message is written for the
// person who wrote the .ltx program; `param` names the argument at fault so the compiler can point at it.
export class ModelError extends Error {
  readonly param: string | undefined;

  constructor(message: string, param?: string) {
    super(message);
    this.name = 'ModelError';
    this.param = param;
  }
}
