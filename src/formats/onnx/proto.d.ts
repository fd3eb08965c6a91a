declare module '*.proto?raw' {
  const text: string;
  export default text;
}
