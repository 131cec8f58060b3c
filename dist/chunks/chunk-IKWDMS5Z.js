import { createRequire as __ripcordCreateRequire } from 'node:module'; const require = __ripcordCreateRequire(import.meta.url);
import {
  ARCHIVE_OBJECT,
  CHECKSUMS_OBJECT,
  LocalStore,
  MANIFEST_OBJECT,
  PARTIAL_MARKER,
  SNAPSHOT_FORMAT,
  SNAPSHOT_OBJECT,
  checkLabels,
  compareNewestFirst,
  createSnapshotId,
  formatChecksums,
  isPassphraseCheck,
  isSnapshotId,
  parseMetadata,
  sealMetadata,
  serializeMetadata,
  snapshotIdTime
} from "./chunk-4ZCQRPLC.js";
import {
  collectGarbage,
  collectGarbageOverSlack,
  dropPrestarted,
  freeOnceWritten,
  releaseBuffer,
  startWorker,
  takePrestarted,
  walkWorker,
  workerThreads,
  written
} from "./chunk-LMOK4EBW.js";
import {
  objectVersion
} from "./chunk-EYQ7L4U7.js";
import {
  ExitCode,
  IntegrityError,
  KeyError,
  LockedError,
  NotFoundError,
  RipcordError,
  SignatureError,
  SourceError,
  StorageError,
  UnsafeEntryError,
  UsageError
} from "./chunk-23W3WYYB.js";
import {
  __commonJS,
  __toESM
} from "./chunk-374JASB6.js";

// node_modules/picomatch/lib/constants.js
var require_constants = __commonJS({
  "node_modules/picomatch/lib/constants.js"(exports, module) {
    "use strict";
    var WIN_SLASH = "\\\\/";
    var WIN_NO_SLASH = `[^${WIN_SLASH}]`;
    var DEFAULT_MAX_EXTGLOB_RECURSION = 0;
    var DOT_LITERAL = "\\.";
    var PLUS_LITERAL = "\\+";
    var QMARK_LITERAL = "\\?";
    var SLASH_LITERAL = "\\/";
    var ONE_CHAR = "(?=.)";
    var QMARK = "[^/]";
    var END_ANCHOR = `(?:${SLASH_LITERAL}|$)`;
    var START_ANCHOR = `(?:^|${SLASH_LITERAL})`;
    var DOTS_SLASH = `${DOT_LITERAL}{1,2}${END_ANCHOR}`;
    var NO_DOT = `(?!${DOT_LITERAL})`;
    var NO_DOTS = `(?!${START_ANCHOR}${DOTS_SLASH})`;
    var NO_DOT_SLASH = `(?!${DOT_LITERAL}{0,1}${END_ANCHOR})`;
    var NO_DOTS_SLASH = `(?!${DOTS_SLASH})`;
    var QMARK_NO_DOT = `[^.${SLASH_LITERAL}]`;
    var STAR = `${QMARK}*?`;
    var SEP = "/";
    var POSIX_CHARS = {
      DOT_LITERAL,
      PLUS_LITERAL,
      QMARK_LITERAL,
      SLASH_LITERAL,
      ONE_CHAR,
      QMARK,
      END_ANCHOR,
      DOTS_SLASH,
      NO_DOT,
      NO_DOTS,
      NO_DOT_SLASH,
      NO_DOTS_SLASH,
      QMARK_NO_DOT,
      STAR,
      START_ANCHOR,
      SEP
    };
    var WINDOWS_CHARS = {
      ...POSIX_CHARS,
      SLASH_LITERAL: `[${WIN_SLASH}]`,
      QMARK: WIN_NO_SLASH,
      STAR: `${WIN_NO_SLASH}*?`,
      DOTS_SLASH: `${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$)`,
      NO_DOT: `(?!${DOT_LITERAL})`,
      NO_DOTS: `(?!(?:^|[${WIN_SLASH}])${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      NO_DOT_SLASH: `(?!${DOT_LITERAL}{0,1}(?:[${WIN_SLASH}]|$))`,
      NO_DOTS_SLASH: `(?!${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      QMARK_NO_DOT: `[^.${WIN_SLASH}]`,
      START_ANCHOR: `(?:^|[${WIN_SLASH}])`,
      END_ANCHOR: `(?:[${WIN_SLASH}]|$)`,
      SEP: "\\"
    };
    var POSIX_REGEX_SOURCE = {
      __proto__: null,
      alnum: "a-zA-Z0-9",
      alpha: "a-zA-Z",
      ascii: "\\x00-\\x7F",
      blank: " \\t",
      cntrl: "\\x00-\\x1F\\x7F",
      digit: "0-9",
      graph: "\\x21-\\x7E",
      lower: "a-z",
      print: "\\x20-\\x7E ",
      punct: "\\-!\"#$%&'()\\*+,./:;<=>?@[\\]^_`{|}~",
      space: " \\t\\r\\n\\v\\f",
      upper: "A-Z",
      word: "A-Za-z0-9_",
      xdigit: "A-Fa-f0-9"
    };
    module.exports = {
      DEFAULT_MAX_EXTGLOB_RECURSION,
      MAX_LENGTH: 1024 * 64,
      POSIX_REGEX_SOURCE,
      // regular expressions
      REGEX_BACKSLASH: /\\(?![*+?^${}(|)[\]])/g,
      REGEX_NON_SPECIAL_CHARS: /^[^@![\].,$*+?^{}()|\\/]+/,
      REGEX_SPECIAL_CHARS: /[-*+?.^${}(|)[\]]/,
      REGEX_SPECIAL_CHARS_BACKREF: /(\\?)((\W)(\3*))/g,
      REGEX_SPECIAL_CHARS_GLOBAL: /([-*+?.^${}(|)[\]])/g,
      REGEX_REMOVE_BACKSLASH: /(?:\[.*?[^\\]\]|\\(?=.))/g,
      // Replace globs with equivalent patterns to reduce parsing time.
      REPLACEMENTS: {
        __proto__: null,
        "***": "*",
        "**/**": "**",
        "**/**/**": "**"
      },
      // Digits
      CHAR_0: 48,
      /* 0 */
      CHAR_9: 57,
      /* 9 */
      // Alphabet chars.
      CHAR_UPPERCASE_A: 65,
      /* A */
      CHAR_LOWERCASE_A: 97,
      /* a */
      CHAR_UPPERCASE_Z: 90,
      /* Z */
      CHAR_LOWERCASE_Z: 122,
      /* z */
      CHAR_LEFT_PARENTHESES: 40,
      /* ( */
      CHAR_RIGHT_PARENTHESES: 41,
      /* ) */
      CHAR_ASTERISK: 42,
      /* * */
      // Non-alphabetic chars.
      CHAR_AMPERSAND: 38,
      /* & */
      CHAR_AT: 64,
      /* @ */
      CHAR_BACKWARD_SLASH: 92,
      /* \ */
      CHAR_CARRIAGE_RETURN: 13,
      /* \r */
      CHAR_CIRCUMFLEX_ACCENT: 94,
      /* ^ */
      CHAR_COLON: 58,
      /* : */
      CHAR_COMMA: 44,
      /* , */
      CHAR_DOT: 46,
      /* . */
      CHAR_DOUBLE_QUOTE: 34,
      /* " */
      CHAR_EQUAL: 61,
      /* = */
      CHAR_EXCLAMATION_MARK: 33,
      /* ! */
      CHAR_FORM_FEED: 12,
      /* \f */
      CHAR_FORWARD_SLASH: 47,
      /* / */
      CHAR_GRAVE_ACCENT: 96,
      /* ` */
      CHAR_HASH: 35,
      /* # */
      CHAR_HYPHEN_MINUS: 45,
      /* - */
      CHAR_LEFT_ANGLE_BRACKET: 60,
      /* < */
      CHAR_LEFT_CURLY_BRACE: 123,
      /* { */
      CHAR_LEFT_SQUARE_BRACKET: 91,
      /* [ */
      CHAR_LINE_FEED: 10,
      /* \n */
      CHAR_NO_BREAK_SPACE: 160,
      /* \u00A0 */
      CHAR_PERCENT: 37,
      /* % */
      CHAR_PLUS: 43,
      /* + */
      CHAR_QUESTION_MARK: 63,
      /* ? */
      CHAR_RIGHT_ANGLE_BRACKET: 62,
      /* > */
      CHAR_RIGHT_CURLY_BRACE: 125,
      /* } */
      CHAR_RIGHT_SQUARE_BRACKET: 93,
      /* ] */
      CHAR_SEMICOLON: 59,
      /* ; */
      CHAR_SINGLE_QUOTE: 39,
      /* ' */
      CHAR_SPACE: 32,
      /*   */
      CHAR_TAB: 9,
      /* \t */
      CHAR_UNDERSCORE: 95,
      /* _ */
      CHAR_VERTICAL_LINE: 124,
      /* | */
      CHAR_ZERO_WIDTH_NOBREAK_SPACE: 65279,
      /* \uFEFF */
      /**
       * Create EXTGLOB_CHARS
       */
      extglobChars(chars) {
        return {
          "!": { type: "negate", open: "(?:(?!(?:", close: `))${chars.STAR})` },
          "?": { type: "qmark", open: "(?:", close: ")?" },
          "+": { type: "plus", open: "(?:", close: ")+" },
          "*": { type: "star", open: "(?:", close: ")*" },
          "@": { type: "at", open: "(?:", close: ")" }
        };
      },
      /**
       * Create GLOB_CHARS
       */
      globChars(win32) {
        return win32 === true ? WINDOWS_CHARS : POSIX_CHARS;
      }
    };
  }
});

// node_modules/picomatch/lib/utils.js
var require_utils = __commonJS({
  "node_modules/picomatch/lib/utils.js"(exports) {
    "use strict";
    var {
      REGEX_BACKSLASH,
      REGEX_REMOVE_BACKSLASH,
      REGEX_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_GLOBAL
    } = require_constants();
    exports.isObject = (val) => val !== null && typeof val === "object" && !Array.isArray(val);
    exports.hasRegexChars = (str) => REGEX_SPECIAL_CHARS.test(str);
    exports.isRegexChar = (str) => str.length === 1 && exports.hasRegexChars(str);
    exports.escapeRegex = (str) => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, "\\$1");
    exports.toPosixSlashes = (str) => str.replace(REGEX_BACKSLASH, "/");
    exports.isWindows = () => {
      if (typeof navigator !== "undefined" && navigator.platform) {
        const platform = navigator.platform.toLowerCase();
        return platform === "win32" || platform === "windows";
      }
      if (typeof process !== "undefined" && process.platform) {
        return process.platform === "win32";
      }
      return false;
    };
    exports.removeBackslashes = (str) => {
      return str.replace(REGEX_REMOVE_BACKSLASH, (match) => {
        return match === "\\" ? "" : match;
      });
    };
    exports.escapeLast = (input, char, lastIdx) => {
      const idx = input.lastIndexOf(char, lastIdx);
      if (idx === -1) return input;
      if (input[idx - 1] === "\\") return exports.escapeLast(input, char, idx - 1);
      return `${input.slice(0, idx)}\\${input.slice(idx)}`;
    };
    exports.removePrefix = (input, state = {}) => {
      let output = input;
      if (output.startsWith("./")) {
        output = output.slice(2);
        state.prefix = "./";
      }
      return output;
    };
    exports.wrapOutput = (input, state = {}, options = {}) => {
      const prepend = options.contains ? "" : "^";
      const append = options.contains ? "" : "$";
      let output = `${prepend}(?:${input})${append}`;
      if (state.negated === true) {
        output = `(?:^(?!${output}).*$)`;
      }
      return output;
    };
    exports.basename = (path13, { windows } = {}) => {
      const segs = path13.split(windows ? /[\\/]/ : "/");
      const last = segs[segs.length - 1];
      if (last === "") {
        return segs[segs.length - 2];
      }
      return last;
    };
  }
});

// node_modules/picomatch/lib/scan.js
var require_scan = __commonJS({
  "node_modules/picomatch/lib/scan.js"(exports, module) {
    "use strict";
    var utils = require_utils();
    var {
      CHAR_ASTERISK,
      /* * */
      CHAR_AT,
      /* @ */
      CHAR_BACKWARD_SLASH,
      /* \ */
      CHAR_COMMA,
      /* , */
      CHAR_DOT,
      /* . */
      CHAR_EXCLAMATION_MARK,
      /* ! */
      CHAR_FORWARD_SLASH,
      /* / */
      CHAR_LEFT_CURLY_BRACE,
      /* { */
      CHAR_LEFT_PARENTHESES,
      /* ( */
      CHAR_LEFT_SQUARE_BRACKET,
      /* [ */
      CHAR_PLUS,
      /* + */
      CHAR_QUESTION_MARK,
      /* ? */
      CHAR_RIGHT_CURLY_BRACE,
      /* } */
      CHAR_RIGHT_PARENTHESES,
      /* ) */
      CHAR_RIGHT_SQUARE_BRACKET
      /* ] */
    } = require_constants();
    var isPathSeparator = (code) => {
      return code === CHAR_FORWARD_SLASH || code === CHAR_BACKWARD_SLASH;
    };
    var depth = (token) => {
      if (token.isPrefix !== true) {
        token.depth = token.isGlobstar ? Infinity : 1;
      }
    };
    var scan = (input, options) => {
      const opts = options || {};
      const length = input.length - 1;
      const scanToEnd = opts.parts === true || opts.tokens === true || opts.scanToEnd === true;
      const slashes = [];
      const tokens = [];
      const parts = [];
      let str = input;
      let index = -1;
      let start = 0;
      let lastIndex = 0;
      let isBrace = false;
      let isBracket = false;
      let isGlob = false;
      let isExtglob = false;
      let isGlobstar = false;
      let braceEscaped = false;
      let backslashes = false;
      let negated = false;
      let negatedExtglob = false;
      let finished = false;
      let braces = 0;
      let prev;
      let code;
      let token = { value: "", depth: 0, isGlob: false };
      const eos = () => index >= length;
      const peek = () => str.charCodeAt(index + 1);
      const advance = () => {
        prev = code;
        return str.charCodeAt(++index);
      };
      while (index < length) {
        code = advance();
        let next;
        if (code === CHAR_BACKWARD_SLASH) {
          backslashes = token.backslashes = true;
          code = advance();
          if (code === CHAR_LEFT_CURLY_BRACE) {
            braceEscaped = true;
          }
          continue;
        }
        if (braceEscaped === true || code === CHAR_LEFT_CURLY_BRACE) {
          braces++;
          while (eos() !== true && (code = advance())) {
            if (code === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (code === CHAR_LEFT_CURLY_BRACE) {
              braces++;
              continue;
            }
            if (braceEscaped !== true && code === CHAR_DOT && (code = advance()) === CHAR_DOT) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (braceEscaped !== true && code === CHAR_COMMA) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (code === CHAR_RIGHT_CURLY_BRACE) {
              braces--;
              if (braces === 0) {
                braceEscaped = false;
                isBrace = token.isBrace = true;
                finished = true;
                break;
              }
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_FORWARD_SLASH) {
          slashes.push(index);
          tokens.push(token);
          token = { value: "", depth: 0, isGlob: false };
          if (finished === true) continue;
          if (prev === CHAR_DOT && index === start + 1) {
            start += 2;
            continue;
          }
          lastIndex = index + 1;
          continue;
        }
        if (opts.noext !== true) {
          const isExtglobChar = code === CHAR_PLUS || code === CHAR_AT || code === CHAR_ASTERISK || code === CHAR_QUESTION_MARK || code === CHAR_EXCLAMATION_MARK;
          if (isExtglobChar === true && peek() === CHAR_LEFT_PARENTHESES) {
            isGlob = token.isGlob = true;
            isExtglob = token.isExtglob = true;
            finished = true;
            if (code === CHAR_EXCLAMATION_MARK && index === start) {
              negatedExtglob = true;
            }
            if (scanToEnd === true) {
              let parens = 0;
              while (eos() !== true && (code = advance())) {
                if (code === CHAR_BACKWARD_SLASH) {
                  backslashes = token.backslashes = true;
                  advance();
                  continue;
                }
                if (code === CHAR_LEFT_PARENTHESES) {
                  parens++;
                  continue;
                }
                if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                  finished = true;
                  break;
                }
              }
              continue;
            }
            break;
          }
        }
        if (code === CHAR_ASTERISK) {
          if (prev === CHAR_ASTERISK) isGlobstar = token.isGlobstar = true;
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_QUESTION_MARK) {
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_LEFT_SQUARE_BRACKET) {
          while (eos() !== true && (next = advance())) {
            if (next === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (next === CHAR_RIGHT_SQUARE_BRACKET) {
              isBracket = token.isBracket = true;
              isGlob = token.isGlob = true;
              finished = true;
              break;
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (opts.nonegate !== true && code === CHAR_EXCLAMATION_MARK && index === start) {
          negated = token.negated = true;
          start++;
          continue;
        }
        if (opts.noparen !== true && code === CHAR_LEFT_PARENTHESES) {
          isGlob = token.isGlob = true;
          if (scanToEnd === true) {
            let parens = 1;
            while (eos() !== true && (code = advance())) {
              if (code === CHAR_BACKWARD_SLASH) {
                backslashes = token.backslashes = true;
                advance();
                continue;
              }
              if (code === CHAR_LEFT_PARENTHESES) {
                parens++;
                continue;
              }
              if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                finished = true;
                break;
              }
            }
            continue;
          }
          break;
        }
        if (isGlob === true) {
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
      }
      if (opts.noext === true) {
        isExtglob = false;
        isGlob = false;
      }
      let base = str;
      let prefix = "";
      let glob = "";
      if (start > 0) {
        prefix = str.slice(0, start);
        str = str.slice(start);
        lastIndex -= start;
      }
      if (base && isGlob === true && lastIndex > 0) {
        base = str.slice(0, lastIndex);
        glob = str.slice(lastIndex);
      } else if (isGlob === true) {
        base = "";
        glob = str;
      } else {
        base = str;
      }
      if (base && base !== "" && base !== "/" && base !== str) {
        if (isPathSeparator(base.charCodeAt(base.length - 1))) {
          base = base.slice(0, -1);
        }
      }
      if (opts.unescape === true) {
        if (glob) glob = utils.removeBackslashes(glob);
        if (base && backslashes === true) {
          base = utils.removeBackslashes(base);
        }
      }
      const state = {
        prefix,
        input,
        start,
        base,
        glob,
        isBrace,
        isBracket,
        isGlob,
        isExtglob,
        isGlobstar,
        negated,
        negatedExtglob
      };
      if (opts.tokens === true) {
        state.maxDepth = 0;
        if (!isPathSeparator(code)) {
          tokens.push(token);
        }
        state.tokens = tokens;
      }
      if (opts.parts === true || opts.tokens === true) {
        let prevIndex;
        for (let idx = 0; idx < slashes.length; idx++) {
          const n2 = prevIndex !== void 0 ? prevIndex + 1 : start;
          const i = slashes[idx];
          const value2 = input.slice(n2, i);
          if (opts.tokens) {
            if (idx === 0 && start !== 0) {
              tokens[idx].isPrefix = true;
              tokens[idx].value = prefix;
            } else {
              tokens[idx].value = value2;
            }
            depth(tokens[idx]);
            state.maxDepth += tokens[idx].depth;
          }
          if (i >= start) {
            parts.push(value2);
            prevIndex = i;
          }
        }
        const n = prevIndex !== void 0 ? prevIndex + 1 : start;
        const value = input.slice(n);
        parts.push(value);
        if (opts.tokens && prevIndex && prevIndex + 1 < input.length) {
          tokens[tokens.length - 1].value = value;
          depth(tokens[tokens.length - 1]);
          state.maxDepth += tokens[tokens.length - 1].depth;
        }
        state.slashes = slashes;
        state.parts = parts;
      }
      return state;
    };
    module.exports = scan;
  }
});

// node_modules/picomatch/lib/parse.js
var require_parse = __commonJS({
  "node_modules/picomatch/lib/parse.js"(exports, module) {
    "use strict";
    var constants2 = require_constants();
    var utils = require_utils();
    var {
      MAX_LENGTH,
      POSIX_REGEX_SOURCE,
      REGEX_NON_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_BACKREF,
      REPLACEMENTS
    } = constants2;
    var expandRange = (args, options) => {
      if (typeof options.expandRange === "function") {
        return options.expandRange(...args, options);
      }
      args.sort();
      const value = `[${args.join("-")}]`;
      try {
        new RegExp(value);
      } catch (ex) {
        return args.map((v) => utils.escapeRegex(v)).join("..");
      }
      return value;
    };
    var syntaxError = (type, char) => {
      return `Missing ${type}: "${char}" - use "\\\\${char}" to match literal characters`;
    };
    var splitTopLevel = (input) => {
      const parts = [];
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let value = "";
      let escaped = false;
      for (const ch of input) {
        if (escaped === true) {
          value += ch;
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          value += ch;
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          value += ch;
          continue;
        }
        if (quote === 0) {
          if (ch === "[") {
            bracket++;
          } else if (ch === "]" && bracket > 0) {
            bracket--;
          } else if (bracket === 0) {
            if (ch === "(") {
              paren++;
            } else if (ch === ")" && paren > 0) {
              paren--;
            } else if (ch === "|" && paren === 0) {
              parts.push(value);
              value = "";
              continue;
            }
          }
        }
        value += ch;
      }
      parts.push(value);
      return parts;
    };
    var isPlainBranch = (branch) => {
      let escaped = false;
      for (const ch of branch) {
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (/[?*+@!()[\]{}]/.test(ch)) {
          return false;
        }
      }
      return true;
    };
    var normalizeSimpleBranch = (branch) => {
      let value = branch.trim();
      let changed = true;
      while (changed === true) {
        changed = false;
        if (/^@\([^\\()[\]{}|]+\)$/.test(value)) {
          value = value.slice(2, -1);
          changed = true;
        }
      }
      if (!isPlainBranch(value)) {
        return;
      }
      return value.replace(/\\(.)/g, "$1");
    };
    var hasRepeatedCharPrefixOverlap = (branches) => {
      const values = branches.map(normalizeSimpleBranch).filter(Boolean);
      for (let i = 0; i < values.length; i++) {
        for (let j = i + 1; j < values.length; j++) {
          const a = values[i];
          const b = values[j];
          const char = a[0];
          if (!char || a !== char.repeat(a.length) || b !== char.repeat(b.length)) {
            continue;
          }
          if (a === b || a.startsWith(b) || b.startsWith(a)) {
            return true;
          }
        }
      }
      return false;
    };
    var parseRepeatedExtglob = (pattern, requireEnd = true) => {
      if (pattern[0] !== "+" && pattern[0] !== "*" || pattern[1] !== "(") {
        return;
      }
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let escaped = false;
      for (let i = 1; i < pattern.length; i++) {
        const ch = pattern[i];
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          continue;
        }
        if (quote === 1) {
          continue;
        }
        if (ch === "[") {
          bracket++;
          continue;
        }
        if (ch === "]" && bracket > 0) {
          bracket--;
          continue;
        }
        if (bracket > 0) {
          continue;
        }
        if (ch === "(") {
          paren++;
          continue;
        }
        if (ch === ")") {
          paren--;
          if (paren === 0) {
            if (requireEnd === true && i !== pattern.length - 1) {
              return;
            }
            return {
              type: pattern[0],
              body: pattern.slice(2, i),
              end: i
            };
          }
        }
      }
    };
    var buildCharClassStar = (chars) => {
      const source = chars.length === 1 ? utils.escapeRegex(chars[0]) : `[${chars.map((ch) => utils.escapeRegex(ch)).join("")}]`;
      return `${source}*`;
    };
    var getStarExtglobSequenceChars = (pattern) => {
      let index = 0;
      const chars = [];
      while (index < pattern.length) {
        const match = parseRepeatedExtglob(pattern.slice(index), false);
        if (!match || match.type !== "*") {
          return;
        }
        const branches = splitTopLevel(match.body).map((branch2) => branch2.trim());
        if (branches.length !== 1) {
          return;
        }
        const branch = normalizeSimpleBranch(branches[0]);
        if (!branch || branch.length !== 1) {
          return;
        }
        chars.push(branch);
        index += match.end + 1;
      }
      if (chars.length < 1) {
        return;
      }
      return chars;
    };
    var repeatedExtglobRecursion = (pattern) => {
      let depth = 0;
      let value = pattern.trim();
      let match = parseRepeatedExtglob(value);
      while (match) {
        depth++;
        value = match.body.trim();
        match = parseRepeatedExtglob(value);
      }
      return depth;
    };
    var analyzeRepeatedExtglob = (body, options) => {
      if (options.maxExtglobRecursion === false) {
        return { risky: false };
      }
      const max = typeof options.maxExtglobRecursion === "number" ? options.maxExtglobRecursion : constants2.DEFAULT_MAX_EXTGLOB_RECURSION;
      const branches = splitTopLevel(body).map((branch) => branch.trim());
      if (branches.length > 1) {
        if (branches.some((branch) => branch === "") || branches.some((branch) => /^[*?]+$/.test(branch)) || hasRepeatedCharPrefixOverlap(branches)) {
          return { risky: true };
        }
      }
      const safeChars = [];
      let sawStarSequence = false;
      let combinable = true;
      for (const branch of branches) {
        const chars = getStarExtglobSequenceChars(branch);
        if (chars) {
          sawStarSequence = true;
          safeChars.push(...chars);
          continue;
        }
        const literal = normalizeSimpleBranch(branch);
        if (literal && literal.length === 1) {
          safeChars.push(literal);
          continue;
        }
        combinable = false;
        if (repeatedExtglobRecursion(branch) > max) {
          return { risky: true };
        }
      }
      if (sawStarSequence) {
        return combinable ? { risky: true, safeOutput: buildCharClassStar([...new Set(safeChars)]) } : { risky: true };
      }
      return { risky: false };
    };
    var parse = (input, options) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected a string");
      }
      input = REPLACEMENTS[input] || input;
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      let len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      const bos = { type: "bos", value: "", output: opts.prepend || "" };
      const tokens = [bos];
      const capture = opts.capture ? "" : "?:";
      const PLATFORM_CHARS = constants2.globChars(opts.windows);
      const EXTGLOB_CHARS = constants2.extglobChars(PLATFORM_CHARS);
      const {
        DOT_LITERAL,
        PLUS_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOT_SLASH,
        NO_DOTS_SLASH,
        QMARK,
        QMARK_NO_DOT,
        STAR,
        START_ANCHOR
      } = PLATFORM_CHARS;
      const globstar = (opts2) => {
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const nodot = opts.dot ? "" : NO_DOT;
      const qmarkNoDot = opts.dot ? QMARK : QMARK_NO_DOT;
      let star = opts.bash === true ? globstar(opts) : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      if (typeof opts.noext === "boolean") {
        opts.noextglob = opts.noext;
      }
      const state = {
        input,
        index: -1,
        start: 0,
        dot: opts.dot === true,
        consumed: "",
        output: "",
        prefix: "",
        backtrack: false,
        negated: false,
        brackets: 0,
        braces: 0,
        parens: 0,
        quotes: 0,
        globstar: false,
        tokens
      };
      input = utils.removePrefix(input, state);
      len = input.length;
      const extglobs = [];
      const braces = [];
      const stack = [];
      let prev = bos;
      let value;
      const eos = () => state.index === len - 1;
      const peek = state.peek = (n = 1) => input[state.index + n];
      const advance = state.advance = () => input[++state.index] || "";
      const remaining = () => input.slice(state.index + 1);
      const consume = (value2 = "", num = 0) => {
        state.consumed += value2;
        state.index += num;
      };
      const append = (token) => {
        state.output += token.output != null ? token.output : token.value;
        consume(token.value);
      };
      const negate = () => {
        let count = 1;
        while (peek() === "!" && (peek(2) !== "(" || peek(3) === "?")) {
          advance();
          state.start++;
          count++;
        }
        if (count % 2 === 0) {
          return false;
        }
        state.negated = true;
        state.start++;
        return true;
      };
      const increment = (type) => {
        state[type]++;
        stack.push(type);
      };
      const decrement = (type) => {
        state[type]--;
        stack.pop();
      };
      const push = (tok) => {
        if (prev.type === "globstar") {
          const isBrace = state.braces > 0 && (tok.type === "comma" || tok.type === "brace");
          const isExtglob = tok.extglob === true || extglobs.length && (tok.type === "pipe" || tok.type === "paren");
          if (tok.type !== "slash" && tok.type !== "paren" && !isBrace && !isExtglob) {
            state.output = state.output.slice(0, -prev.output.length);
            prev.type = "star";
            prev.value = "*";
            prev.output = star;
            state.output += prev.output;
          }
        }
        if (extglobs.length && tok.type !== "paren") {
          extglobs[extglobs.length - 1].inner += tok.value;
        }
        if (tok.value || tok.output) append(tok);
        if (prev && prev.type === "text" && tok.type === "text") {
          prev.output = (prev.output || prev.value) + tok.value;
          prev.value += tok.value;
          return;
        }
        tok.prev = prev;
        tokens.push(tok);
        prev = tok;
      };
      const extglobOpen = (type, value2) => {
        const token = { ...EXTGLOB_CHARS[value2], conditions: 1, inner: "" };
        token.prev = prev;
        token.parens = state.parens;
        token.output = state.output;
        token.startIndex = state.index;
        token.tokensIndex = tokens.length;
        const output = (opts.capture ? "(" : "") + token.open;
        increment("parens");
        push({ type, value: value2, output: state.output ? "" : ONE_CHAR });
        push({ type: "paren", extglob: true, value: advance(), output });
        extglobs.push(token);
      };
      const extglobClose = (token) => {
        const literal = input.slice(token.startIndex, state.index + 1);
        const body = input.slice(token.startIndex + 2, state.index);
        const analysis = analyzeRepeatedExtglob(body, opts);
        if ((token.type === "plus" || token.type === "star") && analysis.risky) {
          const safeOutput = analysis.safeOutput ? (token.output ? "" : ONE_CHAR) + (opts.capture ? `(${analysis.safeOutput})` : analysis.safeOutput) : void 0;
          const open2 = tokens[token.tokensIndex];
          open2.type = "text";
          open2.value = literal;
          open2.output = safeOutput || utils.escapeRegex(literal);
          for (let i = token.tokensIndex + 1; i < tokens.length; i++) {
            tokens[i].value = "";
            tokens[i].output = "";
            delete tokens[i].suffix;
          }
          state.output = token.output + open2.output;
          state.backtrack = true;
          push({ type: "paren", extglob: true, value, output: "" });
          decrement("parens");
          return;
        }
        let output = token.close + (opts.capture ? ")" : "");
        let rest;
        if (token.type === "negate") {
          let extglobStar = star;
          if (token.inner && token.inner.length > 1 && token.inner.includes("/")) {
            extglobStar = globstar(opts);
          }
          if (extglobStar !== star || eos() || /^\)+$/.test(remaining())) {
            output = token.close = `)$))${extglobStar}`;
          }
          if (token.inner.includes("*") && (rest = remaining()) && /^\.[^\\/.]+$/.test(rest)) {
            const expression = parse(rest, { ...options, fastpaths: false }).output;
            output = token.close = `)${expression})${extglobStar})`;
          }
          if (token.prev.type === "bos") {
            state.negatedExtglob = true;
          }
        }
        push({ type: "paren", extglob: true, value, output });
        decrement("parens");
      };
      if (opts.fastpaths !== false && !/(^[*!]|[/()[\]{}"])/.test(input)) {
        let backslashes = false;
        let output = input.replace(REGEX_SPECIAL_CHARS_BACKREF, (m, esc, chars, first, rest, index) => {
          if (first === "\\") {
            backslashes = true;
            return m;
          }
          if (first === "?") {
            if (esc) {
              return esc + first + (rest ? QMARK.repeat(rest.length) : "");
            }
            if (index === 0) {
              return qmarkNoDot + (rest ? QMARK.repeat(rest.length) : "");
            }
            return QMARK.repeat(chars.length);
          }
          if (first === ".") {
            return DOT_LITERAL.repeat(chars.length);
          }
          if (first === "*") {
            if (esc) {
              return esc + first + (rest ? star : "");
            }
            return star;
          }
          return esc ? m : `\\${m}`;
        });
        if (backslashes === true) {
          if (opts.unescape === true) {
            output = output.replace(/\\/g, "");
          } else {
            output = output.replace(/\\+/g, (m) => {
              return m.length % 2 === 0 ? "\\\\" : m ? "\\" : "";
            });
          }
        }
        if (output === input && opts.contains === true) {
          state.output = input;
          return state;
        }
        state.output = utils.wrapOutput(output, state, options);
        return state;
      }
      while (!eos()) {
        value = advance();
        if (value === "\0") {
          continue;
        }
        if (value === "\\") {
          const next = peek();
          if (next === "/" && opts.bash !== true) {
            continue;
          }
          if (next === "." || next === ";") {
            continue;
          }
          if (!next) {
            value += "\\";
            push({ type: "text", value });
            continue;
          }
          const match = /^\\+/.exec(remaining());
          let slashes = 0;
          if (match && match[0].length > 2) {
            slashes = match[0].length;
            state.index += slashes;
            if (slashes % 2 !== 0) {
              value += "\\";
            }
          }
          if (opts.unescape === true) {
            value = advance();
          } else {
            value += advance();
          }
          if (state.brackets === 0) {
            push({ type: "text", value });
            continue;
          }
        }
        if (state.brackets > 0 && (value !== "]" || prev.value === "[" || prev.value === "[^")) {
          if (opts.posix !== false && value === ":") {
            const inner = prev.value.slice(1);
            if (inner.includes("[")) {
              prev.posix = true;
              if (inner.includes(":")) {
                const idx = prev.value.lastIndexOf("[");
                const pre = prev.value.slice(0, idx);
                const rest2 = prev.value.slice(idx + 2);
                const posix3 = POSIX_REGEX_SOURCE[rest2];
                if (posix3) {
                  prev.value = pre + posix3;
                  state.backtrack = true;
                  advance();
                  if (!bos.output && tokens.indexOf(prev) === 1) {
                    bos.output = ONE_CHAR;
                  }
                  continue;
                }
              }
            }
          }
          if (value === "[" && peek() !== ":" || value === "-" && peek() === "]") {
            value = `\\${value}`;
          }
          if (value === "]" && (prev.value === "[" || prev.value === "[^")) {
            value = `\\${value}`;
          }
          if (opts.posix === true && value === "!" && prev.value === "[") {
            value = "^";
          }
          prev.value += value;
          append({ value });
          continue;
        }
        if (state.quotes === 1 && value !== '"') {
          value = utils.escapeRegex(value);
          prev.value += value;
          append({ value });
          continue;
        }
        if (value === '"') {
          state.quotes = state.quotes === 1 ? 0 : 1;
          if (opts.keepQuotes === true) {
            push({ type: "text", value });
          }
          continue;
        }
        if (value === "(") {
          increment("parens");
          push({ type: "paren", value });
          continue;
        }
        if (value === ")") {
          if (state.parens === 0 && opts.strictBrackets === true) {
            throw new SyntaxError(syntaxError("opening", "("));
          }
          const extglob = extglobs[extglobs.length - 1];
          if (extglob && state.parens === extglob.parens + 1) {
            extglobClose(extglobs.pop());
            continue;
          }
          push({ type: "paren", value, output: state.parens ? ")" : "\\)" });
          decrement("parens");
          continue;
        }
        if (value === "[") {
          if (opts.nobracket === true || !remaining().includes("]")) {
            if (opts.nobracket !== true && opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("closing", "]"));
            }
            value = `\\${value}`;
          } else {
            increment("brackets");
          }
          push({ type: "bracket", value });
          continue;
        }
        if (value === "]") {
          if (opts.nobracket === true || prev && prev.type === "bracket" && prev.value.length === 1) {
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          if (state.brackets === 0) {
            if (opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("opening", "["));
            }
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          decrement("brackets");
          const prevValue = prev.value.slice(1);
          if (prev.posix !== true && prevValue[0] === "^" && !prevValue.includes("/")) {
            value = `/${value}`;
          }
          prev.value += value;
          append({ value });
          if (opts.literalBrackets === false || utils.hasRegexChars(prevValue)) {
            continue;
          }
          const escaped = utils.escapeRegex(prev.value);
          state.output = state.output.slice(0, -prev.value.length);
          if (opts.literalBrackets === true) {
            state.output += escaped;
            prev.value = escaped;
            continue;
          }
          prev.value = `(${capture}${escaped}|${prev.value})`;
          state.output += prev.value;
          continue;
        }
        if (value === "{" && opts.nobrace !== true) {
          increment("braces");
          const open2 = {
            type: "brace",
            value,
            output: "(",
            outputIndex: state.output.length,
            tokensIndex: state.tokens.length
          };
          braces.push(open2);
          push(open2);
          continue;
        }
        if (value === "}") {
          const brace = braces[braces.length - 1];
          if (opts.nobrace === true || !brace) {
            push({ type: "text", value, output: value });
            continue;
          }
          let output = ")";
          if (brace.dots === true) {
            const arr = tokens.slice();
            const range = [];
            for (let i = arr.length - 1; i >= 0; i--) {
              tokens.pop();
              if (arr[i].type === "brace") {
                break;
              }
              if (arr[i].type !== "dots") {
                range.unshift(arr[i].value);
              }
            }
            output = expandRange(range, opts);
            state.backtrack = true;
          }
          if (brace.comma !== true && brace.dots !== true) {
            const out = state.output.slice(0, brace.outputIndex);
            const toks = state.tokens.slice(brace.tokensIndex);
            brace.value = brace.output = "\\{";
            value = output = "\\}";
            state.output = out;
            for (const t of toks) {
              state.output += t.output || t.value;
            }
          }
          push({ type: "brace", value, output });
          decrement("braces");
          braces.pop();
          continue;
        }
        if (value === "|") {
          if (extglobs.length > 0) {
            extglobs[extglobs.length - 1].conditions++;
          }
          push({ type: "text", value });
          continue;
        }
        if (value === ",") {
          let output = value;
          const brace = braces[braces.length - 1];
          if (brace && stack[stack.length - 1] === "braces") {
            brace.comma = true;
            output = "|";
          }
          push({ type: "comma", value, output });
          continue;
        }
        if (value === "/") {
          if (prev.type === "dot" && state.index === state.start + 1) {
            state.start = state.index + 1;
            state.consumed = "";
            state.output = "";
            tokens.pop();
            prev = bos;
            continue;
          }
          push({ type: "slash", value, output: SLASH_LITERAL });
          continue;
        }
        if (value === ".") {
          if (state.braces > 0 && prev.type === "dot") {
            if (prev.value === ".") prev.output = DOT_LITERAL;
            const brace = braces[braces.length - 1];
            prev.type = "dots";
            prev.output += value;
            prev.value += value;
            brace.dots = true;
            continue;
          }
          if (state.braces + state.parens === 0 && prev.type !== "bos" && prev.type !== "slash") {
            push({ type: "text", value, output: DOT_LITERAL });
            continue;
          }
          push({ type: "dot", value, output: DOT_LITERAL });
          continue;
        }
        if (value === "?") {
          const isGroup = prev && prev.value === "(";
          if (!isGroup && opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("qmark", value);
            continue;
          }
          if (prev && prev.type === "paren") {
            const next = peek();
            let output = value;
            if (prev.value === "(" && !/[!=<:]/.test(next) || next === "<" && !/<([!=]|\w+>)/.test(remaining())) {
              output = `\\${value}`;
            }
            push({ type: "text", value, output });
            continue;
          }
          if (opts.dot !== true && (prev.type === "slash" || prev.type === "bos")) {
            push({ type: "qmark", value, output: QMARK_NO_DOT });
            continue;
          }
          push({ type: "qmark", value, output: QMARK });
          continue;
        }
        if (value === "!") {
          if (opts.noextglob !== true && peek() === "(") {
            if (peek(2) !== "?" || !/[!=<:]/.test(peek(3))) {
              extglobOpen("negate", value);
              continue;
            }
          }
          if (opts.nonegate !== true && state.index === 0) {
            negate();
            continue;
          }
        }
        if (value === "+") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            extglobOpen("plus", value);
            continue;
          }
          if (prev && prev.value === "(" || opts.regex === false) {
            push({ type: "plus", value, output: PLUS_LITERAL });
            continue;
          }
          if (prev && (prev.type === "bracket" || prev.type === "paren" || prev.type === "brace") || state.parens > 0) {
            push({ type: "plus", value });
            continue;
          }
          push({ type: "plus", value: PLUS_LITERAL });
          continue;
        }
        if (value === "@") {
          if (opts.noextglob !== true && peek() === "(" && peek(2) !== "?") {
            push({ type: "at", extglob: true, value, output: "" });
            continue;
          }
          push({ type: "text", value });
          continue;
        }
        if (value !== "*") {
          if (value === "$" || value === "^") {
            value = `\\${value}`;
          }
          const match = REGEX_NON_SPECIAL_CHARS.exec(remaining());
          if (match) {
            value += match[0];
            state.index += match[0].length;
          }
          push({ type: "text", value });
          continue;
        }
        if (prev && (prev.type === "globstar" || prev.star === true)) {
          prev.type = "star";
          prev.star = true;
          prev.value += value;
          prev.output = star;
          state.backtrack = true;
          state.globstar = true;
          consume(value);
          continue;
        }
        let rest = remaining();
        if (opts.noextglob !== true && /^\([^?]/.test(rest)) {
          extglobOpen("star", value);
          continue;
        }
        if (prev.type === "star") {
          if (opts.noglobstar === true) {
            consume(value);
            continue;
          }
          const prior = prev.prev;
          const before = prior.prev;
          const isStart = prior.type === "slash" || prior.type === "bos";
          const afterStar = before && (before.type === "star" || before.type === "globstar");
          if (opts.bash === true && (!isStart || rest[0] && rest[0] !== "/")) {
            push({ type: "star", value, output: "" });
            continue;
          }
          const isBrace = state.braces > 0 && (prior.type === "comma" || prior.type === "brace");
          const isExtglob = extglobs.length && (prior.type === "pipe" || prior.type === "paren");
          if (!isStart && prior.type !== "paren" && !isBrace && !isExtglob) {
            push({ type: "star", value, output: "" });
            continue;
          }
          while (rest.slice(0, 3) === "/**") {
            const after = input[state.index + 4];
            if (after && after !== "/") {
              break;
            }
            rest = rest.slice(3);
            consume("/**", 3);
          }
          const isEnd = eos() || state.parens > 0 && rest === ")".repeat(state.parens) && !extglobs.some((extglob) => extglob.type === "negate");
          if (prior.type === "bos" && eos()) {
            prev.type = "globstar";
            prev.value += value;
            prev.output = globstar(opts);
            state.output = prev.output;
            state.globstar = true;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && !afterStar && isEnd) {
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = globstar(opts) + (opts.strictSlashes ? ")" : "|$)");
            prev.value += value;
            state.globstar = true;
            state.output += prior.output + prev.output;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && rest[0] === "/") {
            const end = rest[1] !== void 0 ? "|$" : "";
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = `${globstar(opts)}${SLASH_LITERAL}|${SLASH_LITERAL}${end})`;
            prev.value += value;
            state.output += prior.output + prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          if (prior.type === "bos" && rest[0] === "/") {
            prev.type = "globstar";
            prev.value += value;
            prev.output = `(?:^|${SLASH_LITERAL}|${globstar(opts)}${SLASH_LITERAL})`;
            state.output = prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          state.output = state.output.slice(0, -prev.output.length);
          prev.type = "globstar";
          prev.output = globstar(opts);
          prev.value += value;
          state.output += prev.output;
          state.globstar = true;
          consume(value);
          continue;
        }
        const token = { type: "star", value, output: star };
        if (opts.bash === true) {
          token.output = ".*?";
          if (prev.type === "bos" || prev.type === "slash") {
            token.output = nodot + token.output;
          }
          push(token);
          continue;
        }
        if (prev && (prev.type === "bracket" || prev.type === "paren") && opts.regex === true) {
          token.output = value;
          push(token);
          continue;
        }
        if (state.index === state.start || prev.type === "slash" || prev.type === "dot") {
          if (prev.type === "dot") {
            state.output += NO_DOT_SLASH;
            prev.output += NO_DOT_SLASH;
          } else if (opts.dot === true) {
            state.output += NO_DOTS_SLASH;
            prev.output += NO_DOTS_SLASH;
          } else {
            state.output += nodot;
            prev.output += nodot;
          }
          if (peek() !== "*") {
            state.output += ONE_CHAR;
            prev.output += ONE_CHAR;
          }
        }
        push(token);
      }
      while (state.brackets > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "]"));
        state.output = utils.escapeLast(state.output, "[");
        decrement("brackets");
      }
      while (state.parens > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", ")"));
        state.output = utils.escapeLast(state.output, "(");
        decrement("parens");
      }
      while (state.braces > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "}"));
        state.output = utils.escapeLast(state.output, "{");
        decrement("braces");
      }
      if (opts.strictSlashes !== true && (prev.type === "star" || prev.type === "bracket")) {
        push({ type: "maybe_slash", value: "", output: `${SLASH_LITERAL}?` });
      }
      if (state.backtrack === true) {
        state.output = "";
        for (const token of state.tokens) {
          state.output += token.output != null ? token.output : token.value;
          if (token.suffix) {
            state.output += token.suffix;
          }
        }
      }
      return state;
    };
    parse.fastpaths = (input, options) => {
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      const len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      input = REPLACEMENTS[input] || input;
      const {
        DOT_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOTS,
        NO_DOTS_SLASH,
        STAR,
        START_ANCHOR
      } = constants2.globChars(opts.windows);
      const nodot = opts.dot ? NO_DOTS : NO_DOT;
      const slashDot = opts.dot ? NO_DOTS_SLASH : NO_DOT;
      const capture = opts.capture ? "" : "?:";
      const state = { negated: false, prefix: "" };
      let star = opts.bash === true ? ".*?" : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      const globstar = (opts2) => {
        if (opts2.noglobstar === true) return star;
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const create = (str) => {
        switch (str) {
          case "*":
            return `${nodot}${ONE_CHAR}${star}`;
          case ".*":
            return `${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*.*":
            return `${nodot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*/*":
            return `${nodot}${star}${SLASH_LITERAL}${ONE_CHAR}${slashDot}${star}`;
          case "**":
            return nodot + globstar(opts);
          case "**/*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${ONE_CHAR}${star}`;
          case "**/*.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "**/.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${DOT_LITERAL}${ONE_CHAR}${star}`;
          default: {
            const match = /^(.*?)\.(\w+)$/.exec(str);
            if (!match) return;
            const source2 = create(match[1]);
            if (!source2) return;
            return source2 + DOT_LITERAL + match[2];
          }
        }
      };
      const output = utils.removePrefix(input, state);
      let source = create(output);
      if (source && opts.strictSlashes !== true) {
        source += `${SLASH_LITERAL}?`;
      }
      return source;
    };
    module.exports = parse;
  }
});

// node_modules/picomatch/lib/picomatch.js
var require_picomatch = __commonJS({
  "node_modules/picomatch/lib/picomatch.js"(exports, module) {
    "use strict";
    var scan = require_scan();
    var parse = require_parse();
    var utils = require_utils();
    var constants2 = require_constants();
    var isObject = (val) => val && typeof val === "object" && !Array.isArray(val);
    var picomatch2 = (glob, options, returnState = false) => {
      if (Array.isArray(glob)) {
        const fns = glob.map((input) => picomatch2(input, options, returnState));
        const arrayMatcher = (str) => {
          for (const isMatch of fns) {
            const state2 = isMatch(str);
            if (state2) return state2;
          }
          return false;
        };
        return arrayMatcher;
      }
      const isState = isObject(glob) && glob.tokens && glob.input;
      if (glob === "" || typeof glob !== "string" && !isState) {
        throw new TypeError("Expected pattern to be a non-empty string");
      }
      const opts = options || {};
      const posix3 = opts.windows;
      const regex = isState ? picomatch2.compileRe(glob, options) : picomatch2.makeRe(glob, options, false, true);
      const state = regex.state;
      delete regex.state;
      let isIgnored = () => false;
      if (opts.ignore) {
        const ignoreOpts = { ...options, ignore: null, onMatch: null, onResult: null };
        isIgnored = picomatch2(opts.ignore, ignoreOpts, returnState);
      }
      const matcher = (input, returnObject = false) => {
        const { isMatch, match, output } = picomatch2.test(input, regex, options, { glob, posix: posix3 });
        const result = { glob, state, regex, posix: posix3, input, output, match, isMatch };
        if (typeof opts.onResult === "function") {
          opts.onResult(result);
        }
        if (isMatch === false) {
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (isIgnored(input)) {
          if (typeof opts.onIgnore === "function") {
            opts.onIgnore(result);
          }
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (typeof opts.onMatch === "function") {
          opts.onMatch(result);
        }
        return returnObject ? result : true;
      };
      if (returnState) {
        matcher.state = state;
      }
      return matcher;
    };
    picomatch2.test = (input, regex, options, { glob, posix: posix3 } = {}) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected input to be a string");
      }
      if (input === "") {
        return { isMatch: false, output: "" };
      }
      const opts = options || {};
      const format = opts.format || (posix3 ? utils.toPosixSlashes : null);
      let match = input === glob;
      let output = match && format ? format(input) : input;
      if (match === false) {
        output = format ? format(input) : input;
        match = output === glob;
      }
      if (match === false || opts.capture === true) {
        if (opts.matchBase === true || opts.basename === true) {
          match = picomatch2.matchBase(input, regex, options, posix3);
        } else {
          match = regex.exec(output);
        }
      }
      return { isMatch: Boolean(match), match, output };
    };
    picomatch2.matchBase = (input, glob, options, posix3 = options && options.windows) => {
      const regex = glob instanceof RegExp ? glob : picomatch2.makeRe(glob, options);
      return regex.test(utils.basename(input, { windows: posix3 }));
    };
    picomatch2.isMatch = (str, patterns, options) => picomatch2(patterns, options)(str);
    picomatch2.parse = (pattern, options) => {
      if (Array.isArray(pattern)) return pattern.map((p) => picomatch2.parse(p, options));
      return parse(pattern, { ...options, fastpaths: false });
    };
    picomatch2.scan = (input, options) => scan(input, options);
    picomatch2.compileRe = (state, options, returnOutput = false, returnState = false) => {
      if (returnOutput === true) {
        return state.output;
      }
      const opts = options || {};
      const prepend = opts.contains ? "" : "^";
      const append = opts.contains ? "" : "$";
      let source = `${prepend}(?:${state.output})${append}`;
      if (state && state.negated === true) {
        source = `^(?!${source}).*$`;
      }
      const regex = picomatch2.toRegex(source, options);
      if (returnState === true) {
        regex.state = state;
      }
      return regex;
    };
    picomatch2.makeRe = (input, options = {}, returnOutput = false, returnState = false) => {
      if (!input || typeof input !== "string") {
        throw new TypeError("Expected a non-empty string");
      }
      let parsed = { negated: false, fastpaths: true };
      if (options.fastpaths !== false && (input[0] === "." || input[0] === "*")) {
        parsed.output = parse.fastpaths(input, options);
      }
      if (!parsed.output) {
        parsed = parse(input, options);
      }
      return picomatch2.compileRe(parsed, options, returnOutput, returnState);
    };
    picomatch2.toRegex = (source, options) => {
      try {
        const opts = options || {};
        return new RegExp(source, opts.flags || (opts.nocase ? "i" : ""));
      } catch (err) {
        if (options && options.debug === true) throw err;
        return /$^/;
      }
    };
    picomatch2.constants = constants2;
    module.exports = picomatch2;
  }
});

// node_modules/picomatch/index.js
var require_picomatch2 = __commonJS({
  "node_modules/picomatch/index.js"(exports, module) {
    "use strict";
    var pico = require_picomatch();
    var utils = require_utils();
    function picomatch2(glob, options, returnState = false) {
      if (options && (options.windows === null || options.windows === void 0)) {
        options = { ...options, windows: utils.isWindows() };
      }
      return pico(glob, options, returnState);
    }
    Object.assign(picomatch2, pico);
    module.exports = picomatch2;
  }
});

// src/domain/untrusted-text.ts
var CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
var CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
var NOT_ESCAPED_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
var NAMED = { "\n": "\\n", "\r": "\\r", "	": "\\t" };
function escapeOne(char) {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0);
  return code < 256 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}
function escapeControls(text2) {
  return text2.replace(CONTROL, escapeOne);
}
function escapeControlsKeepingLines(text2) {
  return text2.replace(CONTROL_BUT_NEWLINE, escapeOne);
}
function escapeJsonControls(json) {
  return json.replace(NOT_ESCAPED_BY_JSON, (char) => `\\u${char.codePointAt(0).toString(16).padStart(4, "0")}`);
}
function htmlText(text2) {
  return escapeControls(text2).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
function slackText(text2) {
  return escapeControls(text2).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function actionLogText(text2) {
  return escapeControls(text2).replace(/##\[/g, "\\x23#[").replace(/^(\s*):(?=:)/, "$1\\x3a");
}

// src/ops/version.ts
var VERSION = true ? "0.1.0" : sourceVersion();

// src/domain/duration.ts
var DurationParseError = class extends UsageError {
};
var SECOND = 1e3;
var MINUTE = 60 * SECOND;
var HOUR = 60 * MINUTE;
var DAY = 24 * HOUR;
var WEEK = 7 * DAY;
var YEAR = 365 * DAY;
var UNITS = [
  { unit: "y", ms: YEAR },
  { unit: "w", ms: WEEK },
  { unit: "d", ms: DAY },
  { unit: "h", ms: HOUR },
  { unit: "m", ms: MINUTE },
  { unit: "s", ms: SECOND },
  { unit: "ms", ms: 1 }
];
var UNIT_MS = Object.fromEntries(UNITS.map((u) => [u.unit, u.ms]));
var UNIT_RANK = Object.fromEntries(UNITS.map((u, i) => [u.unit, i]));
var EXAMPLES = '"45s", "90m", "12h", "30d", "1d12h", "2w", "1y"';
var UNIT_LIST = "y (365 days), w (7 days), d, h, m (minutes), s, ms";
var PART = /(\d+)(ms|y|w|d|h|m|s)/y;
function fail(input, why) {
  throw new DurationParseError(
    `invalid duration ${JSON.stringify(input)}: ${why}; expected whole numbers with units ${UNIT_LIST}, e.g. ${EXAMPLES}`
  );
}
function parseDuration(input) {
  if (typeof input !== "string") fail(String(input), "not a string");
  const text2 = input.trim();
  if (text2 === "") fail(input, "it is empty");
  if (text2.startsWith("-")) fail(input, "durations cannot be negative");
  if (/^\d+$/.test(text2)) fail(input, `a unit is missing (did you mean "${text2}d"?)`);
  if (/\d[.,]\d/.test(text2)) fail(input, 'fractions are not allowed (write "1d12h" rather than "1.5d")');
  if (/mo|month/i.test(text2))
    fail(input, 'months are not supported because their length varies (use "30d"; note that "m" means minutes)');
  if (/[A-Z]/.test(text2)) fail(input, "units are lower case");
  if (/\s/.test(text2)) fail(input, "it contains spaces");
  let total = 0;
  let lastRank = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text2.length) {
    const at = PART.lastIndex;
    const match = PART.exec(text2);
    if (match === null) {
      fail(input, `cannot read ${JSON.stringify(text2.slice(at))}`);
    }
    const amount = Number(match[1]);
    const unit = match[2];
    const rank = UNIT_RANK[unit];
    if (rank === lastRank) fail(input, `the unit "${unit}" appears twice`);
    if (rank < lastRank) fail(input, `units must go from largest to smallest ("${unit}" comes too late)`);
    lastRank = rank;
    total += amount * UNIT_MS[unit];
  }
  if (!Number.isSafeInteger(total)) fail(input, "it is too large");
  return total;
}
function formatDuration(ms, options = {}) {
  if (!Number.isFinite(ms)) throw new RangeError(`cannot format a duration of ${ms} ms`);
  const maxParts = options.maxParts ?? Infinity;
  if (!(maxParts >= 1)) throw new RangeError(`maxParts must be at least 1, got ${options.maxParts}`);
  let rest = Math.round(Math.abs(ms));
  const sign = ms < 0 && rest > 0 ? "-" : "";
  const parts = [];
  let used = 0;
  for (const { unit, ms: size } of UNITS) {
    if (unit === "w") continue;
    if (used >= maxParts) break;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      parts.push(`${amount}${unit}`);
      rest -= amount * size;
    }
    if (parts.length > 0) used += 1;
  }
  return parts.length === 0 ? "0s" : sign + parts.join("");
}

// src/ops/repository.ts
import { text } from "node:stream/consumers";
function storedBytes(snapshot, folder) {
  if (folder && folder.objects.length > 0) return folder.objects.reduce((sum, object) => sum + object.size, 0);
  return Object.values(snapshot.objects).reduce((sum, object) => sum + object.bytes, 0);
}
async function readStoredBytes(store, snapshot) {
  const objects = [];
  for await (const object of store.list(`${snapshot.id}/`)) objects.push(object);
  return storedBytes(snapshot, { id: snapshot.id, objects });
}
async function listFolders(store) {
  const folders2 = /* @__PURE__ */ new Map();
  for await (const object of store.list("", { within: isSnapshotId })) {
    const slash = object.key.indexOf("/");
    if (slash < 0) continue;
    const id = object.key.slice(0, slash);
    if (!isSnapshotId(id)) continue;
    let folder = folders2.get(id);
    if (!folder) folders2.set(id, folder = { id, objects: [] });
    folder.objects.push(object);
  }
  return folders2;
}
async function readText(store, key) {
  return text(await store.get(key));
}
async function readMetadata(store, id) {
  let content;
  try {
    content = await readText(store, `${id}/${SNAPSHOT_OBJECT}`);
  } catch (error) {
    if (error instanceof NotFoundError) return { problem: "snapshot.json is missing" };
    throw error;
  }
  return parseMetadata(content, id);
}
async function listSnapshots(store) {
  const byId = await listFolders(store);
  for await (const empty of store.listEmptyFolders?.() ?? []) {
    if (isSnapshotId(empty.key) && !byId.has(empty.key))
      byId.set(empty.key, { id: empty.key, objects: [], emptySince: empty.modified });
  }
  const folders2 = [...byId.values()];
  const committed = folders2.filter((f) => f.objects.some((o) => o.key === `${f.id}/${SNAPSHOT_OBJECT}`));
  const unfinished = folders2.filter((f) => !committed.includes(f));
  const snapshots = [];
  const damaged2 = [];
  await forEachLimited(committed, 16, async (folder) => {
    const read = await readMetadata(store, folder.id);
    if ("metadata" in read) snapshots.push(read.metadata);
    else damaged2.push({ id: folder.id, problem: read.problem });
  });
  snapshots.sort((a, b) => compareNewestFirst(a.id, b.id));
  unfinished.sort((a, b) => compareNewestFirst(a.id, b.id));
  return { snapshots, unfinished, damaged: damaged2, folders: byId };
}
function matchesFilter(snapshot, filter) {
  if (filter.kind && snapshot.kind !== filter.kind) return false;
  return (filter.tags ?? []).every((tag) => snapshot.tags.includes(tag));
}
async function resolveSnapshot(store, reference, filter = {}) {
  const location = store.properties.location;
  if (reference === "latest") {
    const { snapshots: snapshots2 } = await listSnapshots(store);
    const latest = snapshots2.find((s) => (filter.kind ? true : s.kind !== "pre-restore") && matchesFilter(s, filter));
    if (!latest) {
      const scope = [filter.kind && `kind ${filter.kind}`, filter.tags?.length && `tags ${filter.tags.join(",")}`].filter(Boolean).join(", ");
      throw new NotFoundError(
        snapshots2.length === 0 ? `no snapshots in ${location}: run ripcord backup first, or check --repo` : `no snapshot in ${location} matches latest${scope ? ` (${scope})` : ""}: see ripcord list`
      );
    }
    return latest;
  }
  if (!/^[0-9TZ.a-f-]+$/.test(reference)) {
    throw new UsageError(`${reference} is not a snapshot id: give an id from ripcord list, or latest`);
  }
  if (isSnapshotId(reference)) {
    const read = await readMetadata(store, reference);
    if ("metadata" in read) return read.metadata;
    if (read.problem === "snapshot.json is missing") {
      throw new NotFoundError(
        `snapshot ${reference} does not exist in ${location} (or was never completed): see ripcord list`
      );
    }
    throw new NotFoundError(`snapshot ${reference} in ${location} cannot be used: ${read.problem}`);
  }
  const { snapshots } = await listSnapshots(store);
  const matches = snapshots.filter((s) => s.id.startsWith(reference));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0)
    throw new NotFoundError(`no snapshot id starts with ${reference} in ${location}: see ripcord list`);
  throw new UsageError(
    `${reference} matches ${matches.length} snapshots (${matches.slice(0, 3).map((s) => s.id).join(", ")}, ...): give more of the id`
  );
}
async function forEachLimited(items, limit, work) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}

// src/ops/captures.ts
import { createReadStream, createWriteStream } from "node:fs";
import * as path2 from "node:path";
import { once } from "node:events";

// src/ops/command-env.ts
var SECRET_VARIABLES = [
  "RIPCORD_PASSPHRASE",
  "RIPCORD_IDENTITY",
  "RIPCORD_IDENTITY_PASSPHRASE",
  "RIPCORD_SIGNING_KEY",
  "RIPCORD_SIGNING_KEY_PASSPHRASE",
  "RIPCORD_NOTIFY_WEBHOOK",
  "INPUT_PASSPHRASE",
  "INPUT_IDENTITY",
  "INPUT_IDENTITY-PASSPHRASE",
  "INPUT_SIGNING-KEY",
  "INPUT_SIGNING-KEY-PASSPHRASE"
];
var ACTIONS_RUNTIME_VARIABLES = [
  "ACTIONS_RUNTIME_TOKEN",
  "ACTIONS_RUNTIME_URL",
  "ACTIONS_RESULTS_URL",
  "ACTIONS_CACHE_URL",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  "ACTIONS_ID_TOKEN_REQUEST_URL"
];
function commandEnvironment(env) {
  if (env === void 0) return void 0;
  const clean = { ...env };
  for (const name of [...SECRET_VARIABLES, ...ACTIONS_RUNTIME_VARIABLES]) delete clean[name];
  return clean;
}

// src/ops/private-folder.ts
import { randomBytes } from "node:crypto";
import { close, constants, ftruncate, open, read as fsRead, write as fsWrite } from "node:fs";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Readable, Writable } from "node:stream";
import { promisify } from "node:util";
var CANDIDATES = 100;
var SCRATCH = "scratch-";
var folders = /* @__PURE__ */ new Map();
function privateFolder() {
  const base = path.resolve(tmpdir());
  let folder = folders.get(base);
  if (!folder) {
    folder = claimFolder(base).then(async (dir) => {
      await removeAbandonedScratch(dir);
      return dir;
    });
    folders.set(base, folder);
    folder.catch(() => folders.delete(base));
  }
  return folder;
}
async function claimFolder(base) {
  const parent = await fs.stat(base).catch(() => void 0);
  if (parent && (parent.mode & 2) !== 0 && (parent.mode & 512) === 0) {
    throw new RipcordError(
      `${base} (TMPDIR) is writable by everyone but not sticky, so anyone could replace ripcord's private folder in it: set TMPDIR to a folder only you can write, or chmod +t ${base}`
    );
  }
  const uid = process.getuid?.();
  const name = `ripcord-${uid ?? "user"}`;
  const passed = [];
  for (let n = 0; n < CANDIDATES; n++) {
    const dir = path.join(base, n === 0 ? name : `${name}-${n}`);
    try {
      await fs.mkdir(dir, { mode: 448 });
    } catch (error) {
      const code = error.code;
      if (code !== "EEXIST") {
        throw new RipcordError(
          `cannot make ripcord's private folder ${dir}: ${code === "EACCES" || code === "EPERM" ? "permission denied" : String(code)}; set TMPDIR to a folder you can write`,
          {
            cause: error
          }
        );
      }
    }
    const stats = await fs.lstat(dir);
    if (stats.isDirectory() && (uid === void 0 || stats.uid === uid) && (stats.mode & 18) === 0) {
      if ((stats.mode & 511) !== 448) await fs.chmod(dir, 448);
      return dir;
    }
    const why = stats.isSymbolicLink() ? "a symlink" : !stats.isDirectory() ? "not a folder" : uid !== void 0 && stats.uid !== uid ? `owned by uid ${stats.uid}` : "writable by others";
    passed.push(`${path.basename(dir)} (${why})`);
  }
  throw new RipcordError(
    `no private folder for ripcord in ${base}: the first ${CANDIDATES} names are taken by others (${passed.slice(0, 3).join(", ")}, ...); set TMPDIR to a folder only you can write`
  );
}
async function removeAbandonedScratch(dir) {
  for (const name of await fs.readdir(dir)) {
    const pid = scratchOwner(name);
    if (pid !== void 0 && !processAlive(pid))
      await fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => {
      });
  }
}
function scratchName(purpose) {
  return `${SCRATCH}${process.pid}-${purpose}-${randomBytes(6).toString("hex")}`;
}
function scratchOwner(name) {
  const match = /^scratch-(\d+)-/.exec(name);
  return match ? Number(match[1]) : void 0;
}
function processAlive(pid) {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
async function openScratchFile(purpose) {
  const file = path.join(await privateFolder(), scratchName(purpose));
  const fd = await promisify(open)(
    file,
    constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    384
  );
  try {
    await fs.unlink(file);
  } catch (error) {
    await promisify(close)(fd);
    throw error;
  }
  let pending = 0;
  let idle;
  const io = (op) => new Promise((resolve8, reject) => {
    pending += 1;
    op((error, bytes) => {
      pending -= 1;
      if (pending === 0) idle?.();
      if (error) reject(error);
      else resolve8(bytes);
    });
  });
  return {
    write() {
      let position = 0;
      return new Writable({
        highWaterMark: 1 << 20,
        construct(callback) {
          io((cb) => ftruncate(fd, 0, (error) => cb(error, 0))).then(() => callback(), callback);
        },
        write(chunk, _encoding, callback) {
          (async () => {
            for (let done = 0; done < chunk.length; ) {
              const bytes = await io((cb) => fsWrite(fd, chunk, done, chunk.length - done, position, cb));
              done += bytes;
              position += bytes;
            }
          })().then(() => callback(), callback);
        }
      });
    },
    read(from = 0, length = Number.POSITIVE_INFINITY) {
      let position = from;
      const end = from + length;
      const stream = new Readable({
        highWaterMark: 1 << 20,
        read(size) {
          const buffer = Buffer.allocUnsafe(Math.min(Math.max(size, 64 << 10), 1 << 20, Math.max(end - position, 0)));
          if (buffer.length === 0) {
            stream.push(null);
            return;
          }
          io((cb) => fsRead(fd, buffer, 0, buffer.length, position, cb)).then(
            (bytes) => {
              position += bytes;
              stream.push(bytes === 0 ? null : buffer.subarray(0, bytes));
            },
            (error) => stream.destroy(error)
          );
        }
      });
      return stream;
    },
    async close() {
      if (pending > 0) await new Promise((resolve8) => idle = resolve8);
      await promisify(close)(fd);
    }
  };
}
async function makeScratchFolder(purpose) {
  const dir = path.join(await privateFolder(), scratchName(purpose));
  await fs.mkdir(dir, { mode: 448 });
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

// src/ops/captures.ts
var CAPTURED_DIR = ".ripcord-captured";
var CAPTURE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
function parseCaptureSpec(spec, flag) {
  const eq = spec.indexOf("=");
  const name = eq > 0 ? spec.slice(0, eq) : "";
  const command = eq > 0 ? spec.slice(eq + 1).trim() : "";
  if (!CAPTURE_NAME.test(name) || command === "") {
    throw new UsageError(
      `${flag} ${JSON.stringify(spec)}: write it as NAME='command' (NAME of letters, digits, ".", "_" or "-")`
    );
  }
  return { name, command };
}
function tail(text2, lines = 3) {
  return text2.trim().split("\n").slice(-lines).join(" | ").slice(0, 400);
}
async function runCaptures(captures, options) {
  const { spawn } = await childProcess();
  const { dir, remove: cleanup } = await makeScratchFolder("capture");
  try {
    const seen = /* @__PURE__ */ new Set();
    for (const capture of captures) {
      if (seen.has(capture.name)) throw new UsageError(`--capture ${capture.name} is given twice`);
      seen.add(capture.name);
      const out = createWriteStream(path2.join(dir, capture.name), { mode: 384 });
      await once(out, "open");
      const child = spawn("sh", ["-c", capture.command], {
        cwd: options.cwd,
        env: commandEnvironment(options.env),
        stdio: ["ignore", out, "pipe"]
      });
      let stderr = "";
      child.stderr.on("data", (c) => stderr = (stderr + c.toString()).slice(-4e3));
      const [code, signal] = await once(child, "close");
      out.close();
      if (code !== 0) {
        throw new RipcordError(
          `capture ${capture.name} failed: \`${capture.command}\` ${signal ? `was killed by ${signal}` : `exited with ${code}`}${stderr.trim() ? `: ${tail(stderr)}` : ""}`
        );
      }
    }
    return { dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
async function runRestoreCapture(capture, content, options) {
  const { spawn } = await childProcess();
  const child = spawn("sh", ["-c", capture.command], {
    cwd: options.cwd,
    env: commandEnvironment(options.env),
    stdio: ["pipe", "ignore", "pipe"]
  });
  let stderr = "";
  child.stderr.on("data", (c) => stderr = (stderr + c.toString()).slice(-4e3));
  const input = createReadStream(content);
  input.pipe(child.stdin);
  child.stdin.on("error", () => {
  });
  const [code, signal] = await once(child, "close");
  if (code !== 0) {
    throw new RipcordError(
      `restoring captured ${capture.name} failed: \`${capture.command}\` ${signal ? `was killed by ${signal}` : `exited with ${code}`}${stderr.trim() ? `: ${tail(stderr)}` : ""}`
    );
  }
}
function childProcess() {
  return import("node:child_process");
}

// src/ops/keys.ts
import * as fs3 from "node:fs/promises";

// src/archive/skesk.ts
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes as randomBytes2, timingSafeEqual } from "node:crypto";

// src/archive/packets.ts
var TAG = {
  pkesk: 1,
  signature: 2,
  skesk: 3,
  onePassSignature: 4,
  secretKey: 5,
  publicKey: 6,
  secretSubkey: 7,
  compressed: 8,
  sed: 9,
  marker: 10,
  literal: 11,
  trust: 12,
  userId: 13,
  publicSubkey: 14,
  seipd: 18,
  mdc: 19,
  aead: 20,
  padding: 21
};
var BLOCK = 16;
var PREFIX = BLOCK + 2;
var MDC_LENGTH = 22;
var PART_LOG2 = 20;
var PART2 = 1 << PART_LOG2;
var LITERAL_HEADER = Buffer.from([98, 0, 0, 0, 0, 0]);
var AES256 = 9;
var AES_KEY_BYTES = { 7: 16, 8: 24, 9: 32 };
function aesCipherName(id, mode) {
  const bytes = AES_KEY_BYTES[id];
  return bytes === void 0 ? void 0 : `aes-${bytes * 8}-${mode}`;
}
function encodeLength(n) {
  if (n < 192) return Buffer.from([n]);
  if (n < 8384) {
    const m = n - 192;
    return Buffer.from([(m >> 8) + 192, m & 255]);
  }
  const b = Buffer.alloc(5);
  b[0] = 255;
  b.writeUInt32BE(n, 1);
  return b;
}
function parseNewLength(hdr, at, have) {
  const b = hdr[at];
  if (b < 192) return { kind: "fixed", length: b };
  if (b < 224)
    return have < at + 2 ? at + 2 : { kind: "fixed", length: (b - 192 << 8) + hdr[at + 1] + 192 };
  if (b === 255) return have < at + 5 ? at + 5 : { kind: "fixed", length: hdr.readUInt32BE(at + 1) };
  return { kind: "partial", length: 1 << (b & 31) };
}
var PacketParser = class {
  #events;
  #fail;
  #state = "header";
  #hdr = Buffer.alloc(6);
  #hdrUsed = 0;
  #left = 0;
  #partial = false;
  constructor(events, fail2) {
    this.#events = events;
    this.#fail = fail2;
  }
  /** true between packets (nothing of a next packet read yet) */
  get atBoundary() {
    return this.#state === "header" && this.#hdrUsed === 0;
  }
  write(data) {
    let offset = 0;
    while (offset < data.length) {
      if (this.#state === "rest") {
        this.#events.body(offset === 0 ? data : data.subarray(offset));
        return;
      }
      if (this.#state === "body") {
        const n = Math.min(this.#left, data.length - offset);
        this.#events.body(data.subarray(offset, offset + n));
        offset += n;
        this.#left -= n;
        if (this.#left === 0) this.#partDone();
        continue;
      }
      this.#hdr[this.#hdrUsed++] = data[offset++];
      if (this.#state === "header") this.#header();
      else this.#partLength();
    }
  }
  #header() {
    const hdr = this.#hdr;
    const b0 = hdr[0];
    if ((b0 & 128) === 0) throw this.#fail("not an OpenPGP packet header");
    let tag;
    let length;
    if (b0 & 64) {
      if (this.#hdrUsed < 2) return;
      tag = b0 & 63;
      const parsed = parseNewLength(hdr, 1, this.#hdrUsed);
      if (typeof parsed === "number") return;
      length = parsed;
    } else {
      tag = b0 >> 2 & 15;
      const type = b0 & 3;
      if (type === 3) {
        length = { kind: "indeterminate", length: 0 };
      } else {
        const size = 1 << type;
        if (this.#hdrUsed < 1 + size) return;
        length = {
          kind: "fixed",
          length: size === 1 ? hdr[1] : size === 2 ? hdr.readUInt16BE(1) : hdr.readUInt32BE(1)
        };
      }
    }
    this.#hdrUsed = 0;
    this.#events.start(tag, length);
    this.#begin(length);
  }
  #partLength() {
    const parsed = parseNewLength(this.#hdr, 0, this.#hdrUsed);
    if (typeof parsed === "number") return;
    this.#hdrUsed = 0;
    this.#begin(parsed);
  }
  #begin(length) {
    if (length.kind === "indeterminate") {
      this.#state = "rest";
      return;
    }
    this.#partial = length.kind === "partial";
    this.#left = length.length;
    this.#state = "body";
    if (this.#left === 0) this.#partDone();
  }
  #partDone() {
    if (this.#partial) {
      this.#state = "part-length";
      return;
    }
    this.#state = "header";
    this.#events.end();
  }
  /** The input ended: the last packet must be complete (or of indeterminate length). */
  finish() {
    if (this.#state === "rest") {
      this.#state = "header";
      this.#events.end();
      return;
    }
    if (!this.atBoundary) throw this.#fail("it ends inside a packet (truncated)");
  }
};

// src/archive/skesk.ts
var S2K_ITERATED = 3;
var HASH_SHA256 = 8;
var COUNT_BYTE = 224;
var HASHES = { 2: "sha1", 8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224" };
function decodedCount(coded) {
  return 16 + (coded & 15) << (coded >> 4) + 6;
}
var DERIVED_KEYS_KEPT = 32;
var deriveKey = remembering(computeKey);
function remembering(s2k) {
  return (passphrase, hashId, type, salt, coded, keyBytes) => {
    if (type !== S2K_ITERATED) return s2k(passphrase, hashId, type, salt, coded, keyBytes);
    const id = derivedKeyId(passphrase, hashId, salt, coded, keyBytes);
    let key = derivedKeys.get(id);
    if (!key) {
      key = s2k(passphrase, hashId, type, salt, coded, keyBytes);
      remember(id, key);
    }
    return Buffer.from(key);
  };
}
var derivedKeys = /* @__PURE__ */ new Map();
function derivedKeyId(passphrase, hashId, salt, coded, keyBytes) {
  return [createHash("sha256").update(passphrase).digest("hex"), hashId, coded, keyBytes, salt.toString("hex")].join(
    ":"
  );
}
function remember(id, key) {
  if (derivedKeys.has(id)) return;
  if (derivedKeys.size >= DERIVED_KEYS_KEPT) {
    const oldest = derivedKeys.keys().next().value;
    derivedKeys.get(oldest)?.fill(0);
    derivedKeys.delete(oldest);
  }
  derivedKeys.set(id, key);
}
var reservedSalts = /* @__PURE__ */ new Map();
function reserveSalts(passphrase, count) {
  const salts = Array.from({ length: count }, () => randomBytes2(8));
  const id = passphraseId(passphrase);
  reservedSalts.set(id, [...reservedSalts.get(id) ?? [], ...salts]);
  return { passphrase, salts };
}
function rememberReserved(job, keys) {
  const passphrase = Buffer.from(job.passphrase, "utf8");
  job.salts.forEach((salt, i) => {
    const key = keys[i];
    if (key?.length === 32) remember(derivedKeyId(passphrase, HASH_SHA256, salt, COUNT_BYTE, 32), Buffer.from(key));
  });
}
function passphraseId(passphrase) {
  return createHash("sha256").update(passphrase, "utf8").digest("hex");
}
function nextSalt(passphrase) {
  const id = passphraseId(passphrase);
  const reserved = reservedSalts.get(id);
  const salt = reserved?.shift();
  if (reserved?.length === 0) reservedSalts.delete(id);
  return salt ?? randomBytes2(8);
}
function computeKey(passphrase, hashId, type, salt, coded, keyBytes) {
  const hash2 = HASHES[hashId];
  if (!hash2) throw new Error(`unsupported S2K hash ${hashId}`);
  const data = type === 0 ? passphrase : Buffer.concat([salt, passphrase]);
  const total = type === S2K_ITERATED ? Math.max(decodedCount(coded), data.length) : data.length;
  const slice = Buffer.alloc(Math.max(data.length, Math.floor((64 << 10) / Math.max(1, data.length)) * data.length));
  for (let at = 0; at < slice.length; at += data.length) data.copy(slice, at);
  const parts = [];
  for (let context = 0; Buffer.concat(parts).length < keyBytes; context++) {
    const h = createHash(hash2);
    if (context > 0) h.update(Buffer.alloc(context));
    let left = total;
    while (left > 0) {
      const n = Math.min(left, slice.length);
      h.update(slice.subarray(0, n));
      left -= n;
    }
    parts.push(h.digest());
  }
  return Buffer.concat(parts).subarray(0, keyBytes);
}
function createPassphrasePacket(sessionKey, passphrase) {
  const salt = nextSalt(passphrase);
  const kek = deriveKey(Buffer.from(passphrase, "utf8"), HASH_SHA256, S2K_ITERATED, salt, COUNT_BYTE, 32);
  const cipher = createCipheriv("aes-256-cfb", kek, Buffer.alloc(16));
  const encryptedKey = Buffer.concat([
    cipher.update(Buffer.concat([Buffer.from([AES256]), sessionKey])),
    cipher.final()
  ]);
  kek.fill(0);
  const body = Buffer.concat([
    Buffer.from([4, AES256, S2K_ITERATED, HASH_SHA256]),
    salt,
    Buffer.from([COUNT_BYTE]),
    encryptedKey
  ]);
  return Buffer.concat([Buffer.from([192 | 3, body.length]), body]);
}
var KEY_CHECK_LABEL = "ripcord key check";
function passphraseHmac(passphrase, salt, count) {
  const derived = deriveKey(Buffer.from(passphrase, "utf8"), HASH_SHA256, S2K_ITERATED, salt, count, 32);
  const hmac = createHmac("sha256", derived).update(KEY_CHECK_LABEL).digest();
  derived.fill(0);
  return hmac;
}
function createPassphraseCheck(passphrase) {
  const salt = randomBytes2(8);
  return {
    s2k: "iterated-sha256",
    salt: salt.toString("hex"),
    count: COUNT_BYTE,
    hmac: passphraseHmac(passphrase, salt, COUNT_BYTE).toString("hex")
  };
}
function isFullStrengthCheck(check) {
  return isPassphraseCheck(check) && check.count >= COUNT_BYTE;
}
function matchesPassphraseCheck(passphrase, check) {
  if (!isPassphraseCheck(check)) return false;
  return timingSafeEqual(
    passphraseHmac(passphrase, Buffer.from(check.salt, "hex"), check.count),
    Buffer.from(check.hmac, "hex")
  );
}
function splitPackets(data) {
  const packets = [];
  let current;
  let fixed = true;
  const parser = new PacketParser(
    {
      start(tag, length) {
        if (length.kind !== "fixed") fixed = false;
        current = { tag, chunks: [] };
      },
      body: (chunk) => current?.chunks.push(chunk),
      end() {
        if (current) packets.push({ tag: current.tag, body: Buffer.concat(current.chunks) });
        current = void 0;
      }
    },
    (message) => new Error(message)
  );
  try {
    parser.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    parser.finish();
  } catch {
    return void 0;
  }
  return fixed ? packets : void 0;
}
function openPassphrasePackets(packets, passphrase) {
  let unsupported = false;
  for (const { tag, body } of packets) {
    if (tag !== 3) continue;
    const [version, cipherId, s2kType, hashId] = body;
    const cipher = cipherId === void 0 ? void 0 : aesCipherName(cipherId, "cfb");
    if (version !== 4 || cipherId === void 0 || !cipher || !HASHES[hashId ?? -1] || ![0, 1, 3].includes(s2kType ?? -1)) {
      unsupported = true;
      continue;
    }
    let at = 4;
    const salt = s2kType === 0 ? Buffer.alloc(0) : body.subarray(at, at += 8);
    const coded = s2kType === S2K_ITERATED ? body[at++] : 0;
    const encrypted = body.subarray(at);
    if (at > body.length || encrypted.length > 0 && !Object.values(AES_KEY_BYTES).includes(encrypted.length - 1)) {
      throw new IntegrityError(
        `the archive's passphrase session-key packet is malformed (${body.length} bytes): the archive is damaged; use another copy of this snapshot or an older one`
      );
    }
    const kek = deriveKey(Buffer.from(passphrase, "utf8"), hashId, s2kType, salt, coded, AES_KEY_BYTES[cipherId]);
    if (encrypted.length === 0) return { algorithm: cipherId, key: kek };
    const decipher = createDecipheriv(cipher, kek, Buffer.alloc(16));
    const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
    const algorithm = plain[0];
    const key = plain.subarray(1);
    if (AES_KEY_BYTES[algorithm] === key.length) return { algorithm, key };
  }
  return unsupported ? "unsupported" : void 0;
}

// src/domain/keys.ts
var ARMORED_KEY_BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

// src/archive/openpgp-library.ts
var loading;
function openpgp() {
  loading ??= import("./openpgp-DNGIHD5C.js");
  return loading;
}
function settings(op) {
  return {
    ...op.config,
    aeadProtect: false,
    v6Keys: false,
    s2kType: op.enums.s2k.iterated,
    // 16 MiB of SHA-256 per passphrase guess (openpgp.js's default coded count)
    s2kIterationCountByte: 224,
    preferredSymmetricAlgorithm: op.enums.symmetric.aes256,
    preferredHashAlgorithm: op.enums.hash.sha256,
    constantTimePKCS1Decryption: false
  };
}
function reason(error) {
  const text2 = error instanceof Error ? error.message : String(error);
  return text2.replace(/\s+/g, " ").trim();
}
function fingerprintOf(key) {
  return key.getFingerprint().toUpperCase();
}
function keyIdHex(keyID) {
  return keyID.toHex().toUpperCase();
}
function isWildcard(keyID) {
  return /^0+$/.test(keyID.toHex());
}
function describe(key) {
  const uid = key.getUserIDs()[0];
  return uid ? `${fingerprintOf(key)} (${uid})` : fingerprintOf(key);
}
function armoredBlocks(text2) {
  return text2.match(ARMORED_KEY_BLOCK) ?? [text2];
}
async function readArmoredKeys(op, text2, config) {
  const keys = [];
  for (const block of armoredBlocks(text2)) keys.push(...await op.readKeys({ armoredKeys: block, config }));
  return keys;
}

// src/archive/openpgp-keys.ts
var MAX_SESSION_KEY_PACKETS = 16;
var GNUPG22_ENCRYPTION_ALGORITHMS = /* @__PURE__ */ new Set([
  1,
  2,
  16,
  18
  /* ECDH */
]);
async function readRecipientKeys(op, recipients) {
  const config = settings(op);
  if (recipients.length === 0)
    throw new KeyError("no recipient keys given: set RIPCORD_RECIPIENTS to one or more armored public keys");
  const result = [];
  const seen = /* @__PURE__ */ new Set();
  const now = /* @__PURE__ */ new Date();
  for (const armored of recipients) {
    let keys;
    try {
      keys = await readArmoredKeys(op, armored, config);
    } catch (error) {
      throw new KeyError(
        `RIPCORD_RECIPIENTS does not hold a readable armored OpenPGP public key (export one with gpg --armor --export): ${reason(error)}`
      );
    }
    for (const key of keys) {
      const fpr = fingerprintOf(key);
      if (key.isPrivate()) {
        throw new KeyError(`RIPCORD_RECIPIENTS holds a private key; give the public key (gpg --armor --export ${fpr})`);
      }
      if (key.keyPacket.version !== 4) {
        throw new KeyError(
          `recipient key ${describe(key)} is a version ${key.keyPacket.version} key, which GnuPG 2.2 cannot use; give a version 4 key`
        );
      }
      try {
        await key.verifyPrimaryKey(now, void 0, config);
      } catch (error) {
        const text2 = reason(error);
        if (/expired/i.test(text2)) {
          const expiry = await key.getExpirationTime(void 0, config).catch(() => null);
          const when = expiry instanceof Date ? ` on ${expiry.toISOString().slice(0, 10)}` : "";
          throw new KeyError(
            `recipient key ${describe(key)} expired${when}; extend it (gpg --quick-set-expire) or give another key`
          );
        }
        if (/revoked/i.test(text2)) throw new KeyError(`recipient key ${describe(key)} is revoked; give another key`);
        throw new KeyError(`recipient key ${describe(key)} is not valid: ${text2}`);
      }
      let encryptionKey;
      try {
        encryptionKey = await key.getEncryptionKey(void 0, now, void 0, config);
      } catch (error) {
        throw new KeyError(
          `recipient key ${describe(key)} has no usable encryption subkey (missing, expired or revoked); add one with gpg --quick-add-key: ${reason(error)}`
        );
      }
      const algorithm = encryptionKey.keyPacket.algorithm;
      if (!GNUPG22_ENCRYPTION_ALGORITHMS.has(algorithm)) {
        const name = encryptionKey.getAlgorithmInfo().algorithm;
        throw new KeyError(
          `recipient key ${describe(key)} encrypts with ${name}, which GnuPG 2.2 cannot decrypt; give an RSA or cv25519 (ECDH) key`
        );
      }
      if (!seen.has(fpr)) {
        seen.add(fpr);
        result.push(key);
      }
    }
  }
  return result;
}
async function inspectRecipients(recipients) {
  const op = await openpgp();
  const keys = await readRecipientKeys(op, recipients);
  return keys.map((key) => ({ fingerprint: fingerprintOf(key), userIds: key.getUserIDs() }));
}
async function createSessionKeyPackets(sessionKey, keys) {
  if (sessionKey.length !== 32) throw new RangeError(`an AES-256 session key has 32 bytes, not ${sessionKey.length}`);
  if (keys.mode === "passphrase") {
    if (keys.passphrase === "")
      throw new KeyError("the passphrase is empty: set RIPCORD_PASSPHRASE to a non-empty passphrase");
    return createPassphrasePacket(sessionKey, keys.passphrase);
  }
  const op = await openpgp();
  const config = settings(op);
  const recipients = await readRecipientKeys(op, keys.recipients);
  if (recipients.length > MAX_SESSION_KEY_PACKETS) {
    throw new KeyError(
      `${recipients.length} recipient keys given: an archive carries at most ${MAX_SESSION_KEY_PACKETS} (one session-key packet each); give fewer keys in RIPCORD_RECIPIENTS`
    );
  }
  try {
    return await op.encryptSessionKey({
      data: sessionKey,
      algorithm: "aes256",
      encryptionKeys: recipients,
      format: "binary",
      config
    });
  } catch (error) {
    throw new KeyError(`cannot encrypt the session key to ${recipients.map(describe).join(", ")}: ${reason(error)}`);
  }
}
async function readIdentities(op, identities) {
  const config = settings(op);
  const result = [];
  for (const identity of identities) {
    let keys;
    try {
      keys = await readArmoredKeys(op, identity.armoredKey, config);
    } catch (error) {
      throw new KeyError(
        `RIPCORD_IDENTITY does not hold a readable armored OpenPGP private key (export one with gpg --armor --export-secret-keys): ${reason(error)}`
      );
    }
    for (const key of keys) {
      if (!key.isPrivate()) {
        throw new KeyError(
          `RIPCORD_IDENTITY holds a public key; give the private key (gpg --armor --export-secret-keys ${fingerprintOf(key)})`
        );
      }
      result.push(identity.passphrase === void 0 ? { key } : { key, passphrase: identity.passphrase });
    }
  }
  return result;
}
var AES = /* @__PURE__ */ new Set([7, 8, 9]);
function symmetricId(op, name) {
  if (name === null)
    throw new IntegrityError(
      "this archive uses SEIPD v2 session keys, which ripcord does not read; decrypt it with gpg"
    );
  const id = op.enums.symmetric[name];
  if (id === void 0) throw new IntegrityError(`this archive uses an unknown cipher (${name}); decrypt it with gpg`);
  return id;
}
var WRONG_PASSPHRASE = "the passphrase does not decrypt this archive: give the one it was made with (RIPCORD_PASSPHRASE or --passphrase-file)";
async function decryptSessionKey(packets, keys) {
  if (keys.passphrase !== void 0) {
    const split = splitPackets(packets);
    const opened = split ? openPassphrasePackets(split, keys.passphrase) : "unsupported";
    if (opened && opened !== "unsupported") {
      if (!AES.has(opened.algorithm))
        throw new IntegrityError(
          `this archive uses a cipher other than AES (${opened.algorithm}); decrypt it with gpg`
        );
      return { ...opened, via: "passphrase" };
    }
    const hasSkesk = split?.some((p) => p.tag === 3) ?? false;
    const hasPkesk = split?.some((p) => p.tag === 1) ?? false;
    if (opened === void 0 && hasSkesk && !(hasPkesk && keys.identities?.length)) {
      throw new KeyError(WRONG_PASSPHRASE);
    }
  }
  const op = await openpgp();
  const config = settings(op);
  let message;
  try {
    message = await op.readMessage({ binaryMessage: packets, config });
  } catch (error) {
    throw new IntegrityError(
      `cannot read the archive's session-key packets (damaged, or not an OpenPGP message): ${reason(error)}`
    );
  }
  const skesks = message.packets.filterByTag(op.enums.packet.symEncryptedSessionKey);
  const recipientIds = message.getEncryptionKeyIDs();
  const recipientList = recipientIds.map((id) => isWildcard(id) ? "an anonymous recipient" : `0x${keyIdHex(id)}`).join(", ");
  if (skesks.length === 0 && recipientIds.length === 0) {
    throw new IntegrityError(
      "the archive has no session-key packet ripcord can read (neither passphrase nor public-key encrypted)"
    );
  }
  const failures = [];
  if (keys.passphrase !== void 0 && skesks.length > 0) {
    try {
      const [found] = await op.decryptSessionKeys({ message, passwords: [keys.passphrase], config });
      const algorithm = found ? symmetricId(op, found.algorithm) : 0;
      const plausible = AES.has(algorithm) || skesks.some((packet) => packet.encrypted === null);
      if (found && plausible) return { algorithm, key: found.data, via: "passphrase" };
    } catch (error) {
      if (error instanceof IntegrityError) throw error;
    }
    failures.push(WRONG_PASSPHRASE);
  }
  if (keys.identities?.length && recipientIds.length > 0) {
    const identities = await readIdentities(op, keys.identities);
    const matching = identities.filter(
      ({ key }) => recipientIds.some((id) => isWildcard(id) || key.getKeys(id).length > 0)
    );
    if (matching.length === 0) {
      const have = identities.map(({ key }) => fingerprintOf(key)).join(", ");
      failures.push(
        `none of the given identity keys (${have}) can decrypt this archive; it is encrypted to key ID ${recipientList}`
      );
    } else {
      const unlocked = [];
      for (const { key, passphrase } of matching) {
        if (key.isDecrypted()) {
          unlocked.push(key);
          continue;
        }
        if (passphrase === void 0) {
          throw new KeyError(`identity key ${describe(key)} is protected by a passphrase; give its passphrase`);
        }
        try {
          unlocked.push(await op.decryptKey({ privateKey: key, passphrase, config }));
        } catch (error) {
          throw new KeyError(`the passphrase for identity key ${describe(key)} is wrong: ${reason(error)}`);
        }
      }
      try {
        const [found] = await op.decryptSessionKeys({ message, decryptionKeys: unlocked, config });
        if (found) return { algorithm: symmetricId(op, found.algorithm), key: found.data, via: "identity" };
        failures.push(`identity key ${unlocked.map(describe).join(", ")} does not decrypt this archive`);
      } catch (error) {
        if (error instanceof IntegrityError) throw error;
        failures.push(
          `identity key ${unlocked.map(describe).join(", ")} does not decrypt this archive: ${reason(error)}`
        );
      }
    }
  }
  if (failures.length > 0) throw new KeyError(failures.join("; "));
  if (recipientIds.length > 0 && skesks.length === 0) {
    throw new KeyError(
      `this archive is encrypted to public keys (key ID ${recipientList}); set RIPCORD_IDENTITY to the matching private key`
    );
  }
  if (skesks.length > 0 && recipientIds.length === 0) {
    throw new KeyError("this archive is encrypted with a passphrase; set RIPCORD_PASSPHRASE");
  }
  throw new KeyError(
    `this archive is encrypted with a passphrase or to public keys (key ID ${recipientList}); set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY`
  );
}
async function publicKeyOf(armoredPrivate) {
  const op = await openpgp();
  try {
    const keys = await readArmoredKeys(op, armoredPrivate, settings(op));
    return keys.map((key) => key.toPublic().armor()).join("\n");
  } catch (error) {
    throw new KeyError(`RIPCORD_IDENTITY is not a readable armored OpenPGP key: ${reason(error)}`);
  }
}

// src/ops/key-file.ts
import * as fs2 from "node:fs/promises";
async function readKeyFile(file, what, refusal) {
  let text2;
  try {
    text2 = await fs2.readFile(file, "utf8");
  } catch (error) {
    const code = error.code;
    throw new KeyError(refusal.unreadable(code === "ENOENT" ? "no such file" : code ?? String(error)));
  }
  const blocks = text2.match(ARMORED_KEY_BLOCK);
  if (!blocks)
    throw new KeyError(`${what}: ${file} holds no armored OpenPGP key (export one with ${refusal.exportCommand})`);
  return blocks;
}

// src/archive/openpgp-signatures.ts
async function readSigningKey(op, signing) {
  const config = settings(op);
  let keys;
  try {
    keys = await readArmoredKeys(op, signing.armoredKey, config);
  } catch (error) {
    throw new KeyError(
      `RIPCORD_SIGNING_KEY does not hold a readable armored OpenPGP private key (export one with gpg --armor --export-secret-keys): ${reason(error)}`
    );
  }
  if (keys.length !== 1)
    throw new KeyError(`RIPCORD_SIGNING_KEY holds ${keys.length} keys; give exactly one private key`);
  const key = keys[0];
  if (!key.isPrivate())
    throw new KeyError(
      `RIPCORD_SIGNING_KEY holds a public key; give the private key (gpg --armor --export-secret-keys ${fingerprintOf(key)})`
    );
  if (key.keyPacket.version !== 4)
    throw new KeyError(
      `signing key ${describe(key)} is a version ${key.keyPacket.version} key, which GnuPG 2.2 cannot check; give a version 4 key`
    );
  let unlocked = key;
  if (!key.isDecrypted()) {
    if (signing.passphrase === void 0)
      throw new KeyError(
        `signing key ${describe(key)} is protected by a passphrase; set RIPCORD_SIGNING_KEY_PASSPHRASE`
      );
    try {
      unlocked = await op.decryptKey({ privateKey: key, passphrase: signing.passphrase, config });
    } catch (error) {
      throw new KeyError(`the passphrase for signing key ${describe(key)} is wrong: ${reason(error)}`);
    }
  }
  try {
    await unlocked.getSigningKey(void 0, /* @__PURE__ */ new Date(), void 0, config);
  } catch (error) {
    throw new KeyError(
      `signing key ${describe(key)} cannot sign now (expired, revoked, or no signing (sub)key): ${reason(error)}`
    );
  }
  return unlocked;
}
async function inspectSigningKey(signing) {
  const key = await readSigningKey(await openpgp(), signing);
  return { fingerprint: fingerprintOf(key), publicKey: key.toPublic().armor() };
}
async function signDetached(data, signing) {
  const op = await openpgp();
  const config = settings(op);
  const key = await readSigningKey(op, signing);
  try {
    const message = await op.createMessage({ binary: data });
    return await op.sign({ message, signingKeys: key, detached: true, format: "armored", config });
  } catch (error) {
    throw new KeyError(`cannot sign with ${describe(key)}: ${reason(error)}`);
  }
}
async function checkDetachedSignature(data, armoredSignature, trusted) {
  const op = await openpgp();
  const config = settings(op);
  let signature;
  try {
    signature = await op.readSignature({ armoredSignature, config });
  } catch (error) {
    return { status: "bad", reason: `not a readable OpenPGP signature (${reason(error)})` };
  }
  const packets = signature.packets;
  if (packets.length !== 1) return { status: "bad", reason: `it holds ${packets.length} signatures, not one` };
  const packet = packets[0];
  const fpr = packet.issuerFingerprint ? Buffer.from(packet.issuerFingerprint).toString("hex").toUpperCase() : void 0;
  const signer = fpr ?? `key ID ${keyIdHex(packet.issuerKeyID)}`;
  const verificationKeys = [];
  try {
    for (const text2 of trusted.keys)
      verificationKeys.push(...(await readArmoredKeys(op, text2, config)).map((key) => key.toPublic()));
  } catch (error) {
    throw new KeyError(`RIPCORD_TRUSTED_SIGNERS does not hold a readable armored OpenPGP public key: ${reason(error)}`);
  }
  if (trusted.offered && trusted.fingerprints.length > 0) {
    const offered = await readArmoredKeys(op, trusted.offered, config).catch(() => []);
    verificationKeys.push(
      ...offered.filter((key) => trusted.fingerprints.includes(fingerprintOf(key))).map((key) => key.toPublic())
    );
  }
  const matching = verificationKeys.filter((key) => key.getKeys(packet.issuerKeyID).length > 0);
  if (matching.length === 0) return { status: "untrusted", signer };
  try {
    const message = await op.createMessage({ binary: data });
    const result = await op.verify({ message, signature, verificationKeys: matching, expectSigned: true, config });
    await result.signatures[0].verified;
  } catch (error) {
    return { status: "bad", reason: reason(error) };
  }
  return { status: "trusted", fingerprint: fingerprintOf(matching[0]) };
}

// src/ops/signing-keys.ts
var FINGERPRINT = /^(0x)?([0-9A-F]{40}|[0-9A-F]{64})$/i;
async function signingKeyFrom(inputs) {
  if (!inputs.signingKey?.trim()) return void 0;
  const value = inputs.signingKey.trim();
  const blocks = value.match(ARMORED_KEY_BLOCK) ?? await readKeyFile(value, "RIPCORD_SIGNING_KEY", {
    unreadable: (why) => `RIPCORD_SIGNING_KEY: ${value} is not armored key text or a readable key file (${why})`,
    exportCommand: "gpg --armor --export-secret-keys"
  });
  if (blocks.length !== 1)
    throw new KeyError(`RIPCORD_SIGNING_KEY holds ${blocks.length} armored keys; give exactly one private key`);
  const signing = {
    armoredKey: blocks[0],
    ...inputs.signingKeyPassphrase ? { passphrase: inputs.signingKeyPassphrase } : {}
  };
  await inspectSigningKey(signing);
  return signing;
}
async function signerTrustFrom(inputs) {
  const keys = [];
  const fingerprints = [];
  const text2 = inputs.trustedSigners ?? "";
  keys.push(...text2.match(ARMORED_KEY_BLOCK) ?? []);
  for (const item of text2.replace(ARMORED_KEY_BLOCK, "\n").split(/[\n,]+/).map((s) => s.trim()).filter(Boolean)) {
    const compact = item.replace(/\s+/g, "");
    if (FINGERPRINT.test(compact)) fingerprints.push(compact.replace(/^0x/i, "").toUpperCase());
    else if (/^(0x)?[0-9A-F]{8,16}$/i.test(compact))
      throw new KeyError(
        `RIPCORD_TRUSTED_SIGNERS: ${item} is a key ID; give the full fingerprint (gpg --fingerprint) or the armored public key`
      );
    else
      keys.push(
        ...await readKeyFile(item, "RIPCORD_TRUSTED_SIGNERS", {
          unreadable: (why) => `RIPCORD_TRUSTED_SIGNERS: ${item} is not armored key text, a fingerprint or a readable key file (${why})`,
          exportCommand: "gpg --armor --export"
        })
      );
  }
  const signing = await signingKeyFrom(inputs);
  const ownKey = signing ? (await inspectSigningKey(signing)).publicKey : void 0;
  return {
    keys,
    fingerprints,
    ...ownKey ? { ownKey } : {},
    allowUnsigned: Boolean(inputs.allowUnsigned),
    ...inputs.warn ? { warn: inputs.warn } : {}
  };
}

// src/ops/keys.ts
async function readPassphrase(inputs) {
  if (inputs.passphraseFile) {
    let text2;
    try {
      text2 = await fs3.readFile(inputs.passphraseFile, "utf8");
    } catch (error) {
      throw new KeyError(
        `cannot read the passphrase file ${inputs.passphraseFile}: ${error.code ?? String(error)}`
      );
    }
    const passphrase = text2.replace(/\r?\n$/, "");
    if (passphrase === "") throw new KeyError(`the passphrase file ${inputs.passphraseFile} is empty`);
    return passphrase;
  }
  return inputs.passphrase ? inputs.passphrase : void 0;
}
async function readArmoredKeys2(value, what) {
  const blocks = [...value.match(ARMORED_KEY_BLOCK) ?? []];
  const rest = value.replace(ARMORED_KEY_BLOCK, "\n");
  for (const file of rest.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean)) {
    blocks.push(
      ...await readKeyFile(file, what, {
        unreadable: (why) => `${what}: cannot read key file ${file}: ${why} (give armored key text or a path to an armored key file)`,
        exportCommand: "gpg --armor --export"
      })
    );
  }
  return blocks;
}
async function encryptionKeysFrom(inputs) {
  const passphrase = await readPassphrase(inputs);
  const recipients = inputs.recipients?.trim() ? await readArmoredKeys2(inputs.recipients, "RIPCORD_RECIPIENTS") : [];
  if (passphrase !== void 0 && recipients.length > 0) {
    throw new UsageError(
      "both a passphrase and recipients are set: a backup uses one of them; unset RIPCORD_PASSPHRASE or RIPCORD_RECIPIENTS"
    );
  }
  const signing = await signingKeyFrom(inputs);
  if (recipients.length > 0) return { mode: "public-key", recipients, ...signing ? { signing } : {} };
  if (passphrase !== void 0) return { mode: "passphrase", passphrase, ...signing ? { signing } : {} };
  throw new KeyError(
    "no encryption key configured: set RIPCORD_PASSPHRASE (or --passphrase-file) or RIPCORD_RECIPIENTS (armored public keys); ripcord never writes an unencrypted backup"
  );
}
async function decryptionKeysFrom(inputs) {
  const passphrase = await readPassphrase(inputs);
  const identities = inputs.identity?.trim() ? (await readArmoredKeys2(inputs.identity, "RIPCORD_IDENTITY")).map((armoredKey) => ({
    armoredKey,
    ...inputs.identityPassphrase ? { passphrase: inputs.identityPassphrase } : {}
  })) : [];
  if (passphrase === void 0 && identities.length === 0) {
    throw new KeyError(
      "no decryption key configured: set RIPCORD_PASSPHRASE (or --passphrase-file) or RIPCORD_IDENTITY (an armored private key)"
    );
  }
  return {
    ...passphrase !== void 0 ? { passphrase } : {},
    ...identities.length ? { identities } : {},
    trust: await signerTrustFrom(inputs)
  };
}
async function preRestoreKeysFrom(inputs) {
  if (inputs.passphrase || inputs.passphraseFile || inputs.recipients?.trim()) return encryptionKeysFrom(inputs);
  if (inputs.identity?.trim()) {
    const identities = await readArmoredKeys2(inputs.identity, "RIPCORD_IDENTITY");
    const signing = await signingKeyFrom(inputs);
    return {
      mode: "public-key",
      recipients: await Promise.all(identities.map((key) => publicKeyOf(key))),
      ...signing ? { signing } : {}
    };
  }
  return encryptionKeysFrom(inputs);
}
async function repositoryKey(store) {
  const ids = [...(await listFolders(store)).values()].filter((folder) => folder.objects.some((object) => object.key === `${folder.id}/${SNAPSHOT_OBJECT}`)).map((folder) => folder.id).sort(compareNewestFirst);
  for (const id of ids) {
    const read = await readMetadata(store, id);
    if ("metadata" in read && read.metadata.kind !== "pre-restore") return read.metadata;
  }
  return void 0;
}
function printable(fingerprints) {
  const shown = fingerprints.filter((f) => /^[0-9A-F]{40,64}$/.test(f));
  return shown.length ? shown.join(", ") : "keys not named";
}
var NEW_KEY_HINT = "or pass --new-key (Action input new-key: true) to start using this key; older snapshots still need the old one";
async function checkRepositoryKey(store, keys, fingerprints, listed) {
  const newest = listed ? listed.find((s) => s.kind !== "pre-restore") : await repositoryKey(store);
  if (!newest) return {};
  const recorded = newest.encryption;
  const where = `the newest snapshot in ${store.properties.location} (${newest.id})`;
  if (keys.mode === "passphrase") {
    if (recorded.mode !== "passphrase") {
      throw new KeyError(
        `${where} is encrypted to public keys (${printable(recorded.recipients)}), not a passphrase: set RIPCORD_RECIPIENTS to those keys instead of a passphrase, ${NEW_KEY_HINT}`
      );
    }
    if (recorded.keyCheck && !matchesPassphraseCheck(keys.passphrase, recorded.keyCheck)) {
      throw new KeyError(
        `the passphrase is not the one ${where} was made with: give the repository's passphrase (RIPCORD_PASSPHRASE or --passphrase-file), ${NEW_KEY_HINT}`
      );
    }
    const check = recorded.keyCheck;
    return check && isFullStrengthCheck(check) ? { keyCheck: { s2k: check.s2k, salt: check.salt, count: check.count, hmac: check.hmac } } : {};
  }
  if (recorded.mode !== "public-key") {
    throw new KeyError(
      `${where} is encrypted with a passphrase, not to public keys: set RIPCORD_PASSPHRASE instead of RIPCORD_RECIPIENTS, ${NEW_KEY_HINT}`
    );
  }
  const same = new Set(recorded.recipients);
  if (same.size !== new Set(fingerprints).size || !fingerprints.every((f) => same.has(f))) {
    throw new KeyError(
      `the recipients (${printable(fingerprints)}) are not those of ${where} (${printable(recorded.recipients)}): set RIPCORD_RECIPIENTS to the repository's keys, ${NEW_KEY_HINT}`
    );
  }
  return {};
}

// src/ops/backup.ts
import * as path6 from "node:path";
import { PassThrough as PassThrough3 } from "node:stream";

// src/ops/read-snapshot.ts
import { PassThrough as PassThrough2, pipeline as pipeline2, Transform as Transform3 } from "node:stream";
import { isDeepStrictEqual } from "node:util";
import { pipeline as pipelinePromise } from "node:stream/promises";
import { createGunzip as createGunzip2 } from "node:zlib";

// src/archive/checksum-stream.ts
import { createHash as createHash2 } from "node:crypto";
import { PassThrough, pipeline, Transform } from "node:stream";
var RunningChecksum = class {
  #hash = createHash2("sha256");
  #bytes = 0;
  #digest;
  update(chunk) {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
  }
  /** the checksum of everything seen: no update after this */
  end() {
    this.#digest ??= { sha256: this.#hash.digest("hex"), bytes: this.#bytes };
    return this.#digest;
  }
  /** Available once end() was called. */
  result() {
    if (!this.#digest) throw new Error("checksum read before the stream finished");
    return this.#digest;
  }
};
var ChecksumStream = class extends Transform {
  checksum = new RunningChecksum();
  _transform(chunk, _encoding, callback) {
    this.checksum.update(chunk);
    this.push(chunk);
    callback();
  }
  _flush(callback) {
    this.checksum.end();
    callback();
  }
  /** Available once the stream has finished. */
  result() {
    return this.checksum.result();
  }
};
async function checksumOf(stream) {
  const hash2 = createHash2("sha256");
  let bytes = 0;
  const ahead = new PassThrough({ highWaterMark: 4 << 20 });
  pipeline(stream, ahead, () => {
  });
  const collect = collectGarbageOverSlack(16 << 20);
  try {
    for await (const chunk of ahead) {
      hash2.update(chunk);
      bytes += chunk.length;
      collect();
    }
  } finally {
    stream.destroy();
  }
  return { sha256: hash2.digest("hex"), bytes };
}

// src/archive/seipd-decrypt.ts
import { createCipheriv as createCipheriv2, createHash as createHash3, timingSafeEqual as timingSafeEqual2 } from "node:crypto";
import { Transform as Transform2 } from "node:stream";

// src/archive/seipd-plaintext.ts
import * as zlib from "node:zlib";
var INFLATE_CHUNK = 1 << 18;
var Inflater = class {
  #stream;
  #closed;
  #pending = Promise.resolve();
  #error;
  constructor(algorithm, reader, ctx) {
    const options = { chunkSize: INFLATE_CHUNK };
    this.#stream = algorithm === 1 ? zlib.createInflateRaw(options) : zlib.createInflate(options);
    this.#stream.on("data", (data) => {
      if (this.#error) return;
      try {
        reader.write(data);
      } catch (error) {
        this.#error = error;
        this.#stream.destroy();
      }
    });
    this.#stream.on("error", (error) => {
      this.#error ??= ctx.corrupt(`its compressed data does not decompress (${error.message})`);
    });
    this.#closed = new Promise((resolve8) => this.#stream.once("close", () => resolve8()));
  }
  write(data) {
    if (this.#error) return;
    const written2 = new Promise((resolve8) => this.#stream.write(data, () => resolve8()));
    this.#pending = Promise.race([written2, this.#closed]);
  }
  /** All input written so far has been decompressed and handed on. */
  async settle() {
    await this.#pending;
    if (this.#error) throw this.#error;
  }
  async end() {
    if (!this.#error) {
      const ended = new Promise((resolve8) => this.#stream.once("end", () => resolve8()));
      this.#stream.end();
      await Promise.race([ended, this.#closed]);
    }
    if (this.#error) throw this.#error;
  }
  destroy() {
    this.#stream.destroy();
  }
};
var PlaintextReader = class _PlaintextReader {
  #ctx;
  #depth;
  #parser;
  #current = "skip";
  #header = [];
  #headerUsed = 0;
  #nested;
  #inflater;
  #ending = [];
  /** literal data found in the buffer being written, sent on as one when write() is done */
  #pieces = [];
  /** the buffer being written went (in part) to the inflater, which keeps it: it must not change */
  #kept = false;
  constructor(ctx, depth) {
    this.#ctx = ctx;
    this.#depth = depth;
    this.#parser = new PacketParser(
      this,
      (message) => ctx.corrupt(`its decrypted data is not valid OpenPGP: ${message}`)
    );
  }
  write(data) {
    this.#pieces = [];
    this.#kept = false;
    this.#parser.write(data);
    this.#sendPieces(data);
  }
  /** the buffer last written went (in part) to compressed data, which keeps it until it is inflated */
  get keepsInput() {
    return this.#kept;
  }
  /**
   * Send the literal data found in `data` on. ripcord's archives frame each gzip member as
   * one literal part per set bit of its length, so a MiB of plaintext holds a dozen parts
   * between 1- to 5-byte length headers: sent one by one, they were 5,500 writes into
   * gunzip on the benchmark, each a round trip to the thread pool. The parts are moved
   * together over the headers between them (already read, and hashed for the MDC) and sent
   * as one, without a copy into a new buffer.
   */
  #sendPieces(data) {
    const pieces = this.#pieces;
    this.#pieces = [];
    if (pieces.length === 0) return;
    const first = pieces[0];
    if (pieces.length === 1 || this.#kept || !inOrderWithin(pieces, data)) {
      for (const piece of pieces) this.#ctx.push(piece);
      return;
    }
    const start = first.byteOffset - data.byteOffset;
    let end = start;
    for (const piece of pieces) {
      const at = piece.byteOffset - data.byteOffset;
      if (at !== end) data.copyWithin(end, at, at + piece.length);
      end += piece.length;
    }
    this.#ctx.push(data.subarray(start, end));
  }
  start(tag) {
    const ctx = this.#ctx;
    switch (tag) {
      case TAG.literal:
        if (ctx.literals > 0) throw ctx.corrupt("it holds more than one literal data packet");
        ctx.literals++;
        this.#current = "literal-header";
        this.#header = [];
        this.#headerUsed = 0;
        return;
      case TAG.compressed:
        if (this.#depth > 0) throw ctx.corrupt("it holds nested compressed data");
        for (const piece of this.#pieces.splice(0)) ctx.push(piece);
        this.#current = "compressed-algorithm";
        return;
      case TAG.onePassSignature:
      case TAG.signature:
      case TAG.marker:
      case TAG.padding:
        this.#current = "skip";
        return;
      default:
        throw ctx.corrupt(`its decrypted data holds an unexpected packet (tag ${tag})`);
    }
  }
  body(chunk) {
    switch (this.#current) {
      case "literal":
        this.#pieces.push(chunk);
        return;
      case "literal-header":
        this.#literalHeader(chunk);
        return;
      case "compressed":
        this.#kept = true;
        if (this.#inflater) this.#inflater.write(chunk);
        else this.#nested.write(chunk);
        return;
      case "compressed-algorithm": {
        const algorithm = chunk[0];
        this.#nested = new _PlaintextReader(this.#ctx, this.#depth + 1);
        if (algorithm === 1 || algorithm === 2) this.#inflater = new Inflater(algorithm, this.#nested, this.#ctx);
        else if (algorithm === 3)
          throw new IntegrityError(
            "this archive is BZip2-compressed, which ripcord does not read: decrypt it with gpg"
          );
        else if (algorithm !== 0) throw this.#ctx.corrupt(`its data uses unknown compression ${algorithm}`);
        this.#current = "compressed";
        if (chunk.length > 1) this.body(chunk.subarray(1));
        return;
      }
      case "skip":
        return;
    }
  }
  /** format (1), filename length (1), filename, date (4); then the data */
  #literalHeader(chunk) {
    this.#header.push(chunk);
    this.#headerUsed += chunk.length;
    if (this.#headerUsed < 2) {
      this.#header = [Buffer.concat(this.#header)];
      return;
    }
    const header = this.#header.length === 1 ? chunk : Buffer.concat(this.#header);
    const size = 2 + header[1] + 4;
    if (header.length < size) {
      this.#header = [header === chunk ? Buffer.from(chunk) : header];
      return;
    }
    this.#header = [];
    this.#current = "literal";
    if (header.length > size) this.#pieces.push(header.subarray(size));
  }
  end() {
    switch (this.#current) {
      case "literal-header":
        throw this.#ctx.corrupt("its literal data packet is cut short");
      case "compressed-algorithm":
        throw this.#ctx.corrupt("its compressed data packet is empty");
      case "compressed":
        {
          const nested = this.#nested;
          const ending = this.#inflater ? this.#inflater.end().then(() => nested.finish()) : nested.finish();
          ending.catch(() => void 0);
          this.#ending.push(ending);
          this.#inflater = void 0;
        }
        break;
      default:
    }
    this.#current = "skip";
  }
  /** Asynchronous decompression of what was written so far is done. */
  async settle() {
    await this.#inflater?.settle();
    await this.#nested?.settle();
  }
  /** The input ended: finish the packets, wait for decompression to end. */
  async finish() {
    this.#parser.finish();
    const ending = this.#ending;
    this.#ending = [];
    await Promise.all(ending);
  }
  destroy() {
    this.#inflater?.destroy();
    this.#nested?.destroy();
  }
};
function inOrderWithin(pieces, data) {
  let next = data.byteOffset;
  for (const piece of pieces) {
    if (piece.buffer !== data.buffer || piece.byteOffset < next) return false;
    next = piece.byteOffset + piece.length;
  }
  return next <= data.byteOffset + data.length;
}

// src/archive/seipd-decrypt.ts
var MAX_ESK_BYTES = 1 << 20;
var EMPTY = Buffer.alloc(0);
var MAX_SCRATCH = 2 << 20;
var MDC_FAILED = "the archive failed its integrity check (MDC)";
var CIPHER_NAMES = {
  1: "IDEA",
  2: "TripleDES",
  3: "CAST5",
  4: "Blowfish",
  10: "Twofish",
  11: "Camellia-128",
  12: "Camellia-192",
  13: "Camellia-256"
};
function xorInto(a, b, length) {
  let i = 0;
  if ((a.byteOffset & 7) === 0 && (b.byteOffset & 7) === 0) {
    const n = length >>> 3;
    const x = new BigInt64Array(a.buffer, a.byteOffset, n);
    const y = new BigInt64Array(b.buffer, b.byteOffset, n);
    for (let k = 0; k < n; k++) x[k] = x[k] ^ y[k];
    i = n << 3;
  }
  for (; i < length; i++) a[i] = a[i] ^ b[i];
}
var CfbDecipher = class {
  #ecb;
  #previous = Buffer.alloc(BLOCK);
  #carry = EMPTY;
  #scratch = EMPTY;
  constructor(sessionKey, previous) {
    if (previous) this.#previous = Buffer.from(previous);
    const { algorithm, key } = sessionKey;
    const name = aesCipherName(algorithm, "ecb");
    if (!name) {
      const what = CIPHER_NAMES[algorithm] ?? `cipher ${algorithm}`;
      throw new IntegrityError(
        `this archive is encrypted with ${what}; ripcord decrypts only AES archives: decrypt it with gpg`
      );
    }
    const keyLength = AES_KEY_BYTES[algorithm];
    if (key.length !== keyLength)
      throw new KeyError(`the session key has ${key.length} bytes, not ${keyLength} as ${name} needs`);
    this.#ecb = createCipheriv2(name, key, null);
    this.#ecb.setAutoPadding(false);
  }
  update(data) {
    const carry = this.#carry;
    const total = carry.length + data.length;
    const whole = total - total % BLOCK;
    if (whole === 0) {
      this.#carry = Buffer.concat([carry, data]);
      return EMPTY;
    }
    if (this.#scratch.length < BLOCK + whole && BLOCK + whole <= MAX_SCRATCH)
      this.#scratch = Buffer.allocUnsafeSlow(BLOCK + whole);
    const shifted = this.#scratch.length >= BLOCK + whole ? this.#scratch.subarray(0, BLOCK + whole) : Buffer.allocUnsafe(BLOCK + whole);
    this.#previous.copy(shifted, 0);
    carry.copy(shifted, BLOCK);
    const fromData = whole - carry.length;
    data.copy(shifted, BLOCK + carry.length, 0, fromData);
    const plain = this.#ecb.update(shifted.subarray(0, whole));
    xorInto(plain, shifted.subarray(BLOCK), whole);
    this.#previous = Buffer.from(shifted.subarray(whole));
    this.#carry = fromData === data.length ? EMPTY : Buffer.from(data.subarray(fromData));
    return plain;
  }
  final() {
    const carry = this.#carry;
    this.#carry = EMPTY;
    if (carry.length === 0) return EMPTY;
    const keystream = this.#ecb.update(this.#previous);
    xorInto(keystream, carry, carry.length);
    return keystream.subarray(0, carry.length);
  }
};
function corrupt(detail) {
  return new IntegrityError(`${MDC_FAILED}: ${detail}`);
}
function refuse(tag) {
  switch (tag) {
    case TAG.sed:
      throw new IntegrityError(
        "this archive is encrypted without integrity protection (Symmetrically Encrypted Data packet, no MDC); ripcord refuses to decrypt it"
      );
    case TAG.aead:
      throw new IntegrityError(
        "this archive is AEAD-encrypted (OCB/EAX, GnuPG 2.3+); ripcord reads only SEIPD v1 archives: decrypt it with gpg"
      );
    case TAG.literal:
    case TAG.compressed:
    case TAG.signature:
    case TAG.onePassSignature:
      throw new IntegrityError(
        "this is not an encrypted OpenPGP message (it holds plain data); ripcord reads only encrypted archives"
      );
    case TAG.publicKey:
    case TAG.secretKey:
    case TAG.publicSubkey:
    case TAG.secretSubkey:
    case TAG.userId:
    case TAG.trust:
      throw new IntegrityError("this is an OpenPGP key, not an encrypted archive");
    default:
      throw new IntegrityError(
        `this is not an encrypted OpenPGP message (unexpected packet with tag ${tag} before the encrypted data)`
      );
  }
}
var DecryptStream = class extends Transform2 {
  #keys;
  #outer;
  #phase = "keys";
  #packet;
  #esk = [];
  #eskBytes = 0;
  #eskCount = 0;
  #sawInput = false;
  // the SEIPD
  #versionRead = false;
  #sessionKey;
  #cfb;
  /** ciphertext that arrived before the session key */
  #waiting = [];
  #dataEnded = false;
  #mdcChecked = false;
  #mdc = createHash3("sha1");
  #prefix = Buffer.alloc(PREFIX);
  #prefixUsed = 0;
  #tail = EMPTY;
  #ctx;
  #reader;
  #name;
  #ownOutput;
  constructor(keys, options) {
    super();
    this.#keys = keys;
    this.#name = options.name;
    this.#ownOutput = options.ownOutput === true;
    const events = {
      start: (tag, length) => this.#start(tag, length),
      body: (chunk) => this.#body(chunk),
      end: () => this.#end()
    };
    this.#outer = new PacketParser(
      events,
      (message) => this.#phase === "data" ? corrupt(message) : new IntegrityError(`this is not a readable OpenPGP message: ${message}`)
    );
    this.#ctx = {
      push: (data) => {
        if (this.destroyed) return;
        if (!this.#ownOutput) {
          this.push(data);
          return;
        }
        const copy = Buffer.allocUnsafeSlow(data.length);
        data.copy(copy);
        this.push(copy);
      },
      literals: 0,
      corrupt
    };
    this.#reader = new PlaintextReader(this.#ctx, 0);
  }
  // -- outer packets
  #start(tag, length) {
    if (this.#phase !== "keys") throw corrupt("unexpected data after the encrypted data packet");
    switch (tag) {
      case TAG.pkesk:
      case TAG.skesk:
        if (length.kind !== "fixed" || this.#eskBytes + length.length > MAX_ESK_BYTES) {
          throw new IntegrityError("this is not a readable OpenPGP message: malformed session-key packet");
        }
        if (++this.#eskCount > MAX_SESSION_KEY_PACKETS) {
          throw new IntegrityError(
            `this archive is damaged or hostile: it holds more than ${MAX_SESSION_KEY_PACKETS} session-key packets (ripcord writes one per recipient, at most ${MAX_SESSION_KEY_PACKETS}); refusing before trying any key`
          );
        }
        this.#packet = { tag, chunks: [], size: length.length };
        return;
      case TAG.marker:
      case TAG.padding:
        this.#packet = void 0;
        return;
      case TAG.seipd:
        if (this.#esk.length === 0)
          throw new IntegrityError(
            "this archive has no session-key packet before its encrypted data; ripcord cannot decrypt it"
          );
        this.#phase = "data";
        return;
      default:
        refuse(tag);
    }
  }
  #body(chunk) {
    if (this.#phase === "data") {
      this.#data(chunk);
      return;
    }
    this.#packet?.chunks.push(Buffer.from(chunk));
  }
  #end() {
    if (this.#phase === "data") {
      if (!this.#versionRead) throw corrupt("the encrypted data packet is empty");
      this.#phase = "done";
      this.#dataEnded = true;
      if (this.#cfb) this.#endData();
      return;
    }
    const packet = this.#packet;
    this.#packet = void 0;
    if (!packet) return;
    const header = Buffer.concat([Buffer.from([192 | packet.tag]), encodeLength(packet.size)]);
    this.#esk.push(header, ...packet.chunks);
    this.#eskBytes += header.length + packet.size;
  }
  // -- the SEIPD body
  #data(chunk) {
    if (!this.#versionRead) {
      const version = chunk[0];
      this.#versionRead = true;
      if (version === 2) {
        throw new IntegrityError(
          "this archive is SEIPD v2 (AEAD, RFC 9580); ripcord reads only SEIPD v1 archives: decrypt it with gpg"
        );
      }
      if (version !== 1) throw corrupt(`unknown encrypted data packet version ${version}`);
      chunk = chunk.subarray(1);
      if (chunk.length === 0) return;
    }
    if (this.#cfb) this.#plain(this.#cfb.update(chunk));
    else this.#waiting.push(chunk);
  }
  async #unlock() {
    if (this.#cfb || !this.#versionRead) return;
    const sessionKey = await decryptSessionKey(Buffer.concat(this.#esk), this.#keys);
    this.#sessionKey = sessionKey;
    this.#cfb = new CfbDecipher(sessionKey);
    sessionKey.key.fill(0);
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const chunk of waiting) this.#plain(this.#cfb.update(chunk));
    if (this.#dataEnded) this.#endData();
  }
  #plain(decrypted) {
    this.#take(decrypted);
    if (this.#ownOutput && !this.#reader.keepsInput) releaseBuffer(decrypted);
  }
  #take(plain) {
    if (plain.length === 0) return;
    if (this.#prefixUsed < PREFIX) {
      const n = Math.min(PREFIX - this.#prefixUsed, plain.length);
      plain.copy(this.#prefix, this.#prefixUsed, 0, n);
      this.#prefixUsed += n;
      plain = plain.subarray(n);
      if (this.#prefixUsed === PREFIX) {
        const p = this.#prefix;
        if (p[BLOCK] !== p[BLOCK - 2] || p[BLOCK + 1] !== p[BLOCK - 1]) {
          throw new KeyError(
            this.#sessionKey?.via === "passphrase" ? WRONG_PASSPHRASE : "the session key does not decrypt this archive (wrong key, or the start of the archive is damaged)"
          );
        }
        this.#mdc.update(p);
      }
      if (plain.length === 0) return;
    }
    if (plain.length >= MDC_LENGTH) {
      if (this.#tail.length) this.#release(this.#tail);
      this.#release(plain.subarray(0, plain.length - MDC_LENGTH));
      const tail2 = plain.subarray(plain.length - MDC_LENGTH);
      this.#tail = this.#ownOutput ? Buffer.from(tail2) : tail2;
    } else {
      const joined = Buffer.concat([this.#tail, plain]);
      if (joined.length > MDC_LENGTH) this.#release(joined.subarray(0, joined.length - MDC_LENGTH));
      this.#tail = joined.subarray(Math.max(0, joined.length - MDC_LENGTH));
    }
  }
  #release(plain) {
    if (plain.length === 0) return;
    this.#mdc.update(plain);
    this.#reader.write(plain);
  }
  #endData() {
    this.#plain(this.#cfb.final());
    const tail2 = this.#tail;
    if (this.#prefixUsed < PREFIX || tail2.length < MDC_LENGTH)
      throw corrupt("the encrypted data is too short (truncated)");
    if (tail2[0] !== (192 | TAG.mdc) || tail2[1] !== 20)
      throw corrupt("the modification detection code is missing or damaged");
    this.#mdc.update(tail2.subarray(0, 2));
    if (!timingSafeEqual2(this.#mdc.digest(), tail2.subarray(2))) throw corrupt("the data was modified or damaged");
    this.#mdcChecked = true;
  }
  // -- Transform
  async #process(chunk) {
    if (chunk.length > 0 && !this.#sawInput) {
      this.#sawInput = true;
      if (chunk[0] === 45 && chunk.subarray(0, 15).toString("latin1") === "-----BEGIN PGP ") {
        throw new IntegrityError(
          "this is an ASCII-armored OpenPGP message; ripcord reads binary messages (convert it with gpg --dearmor)"
        );
      }
    }
    const earlier = this.#reader.settle();
    earlier.catch(() => void 0);
    this.#outer.write(chunk);
    await this.#unlock();
    await earlier;
  }
  async #finish() {
    this.#outer.finish();
    await this.#unlock();
    if (this.#phase === "keys") {
      if (!this.#sawInput) throw new IntegrityError("the archive is empty: not an OpenPGP message");
      throw corrupt("it ends before its encrypted data (truncated)");
    }
    if (!this.#mdcChecked) throw corrupt("the encrypted data is incomplete (truncated)");
    await this.#reader.finish();
    if (this.#ctx.literals === 0) throw corrupt("it holds no literal data");
  }
  #fail(error) {
    if (error instanceof KeyError && this.#name)
      return new KeyError(`${this.#name}: ${error.message}`, { cause: error });
    if (error instanceof RipcordError) return error;
    return corrupt(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
  }
  _transform(chunk, _encoding, callback) {
    this.#process(chunk).then(
      () => callback(),
      (error) => callback(this.#fail(error))
    );
  }
  _flush(callback) {
    this.#finish().then(
      () => callback(),
      (error) => callback(this.#fail(error))
    );
  }
  _destroy(error, callback) {
    this.#reader.destroy();
    callback(error);
  }
};
function createDecryptStream(keys, options = {}) {
  return new DecryptStream(keys, options);
}

// src/archive/ranged-read.ts
import { Readable as Readable2 } from "node:stream";
import { createGunzip } from "node:zlib";

// src/archive/tar-header.ts
var TarFormatError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "TarFormatError";
  }
};
var BLOCK2 = 512;
var NAME = 0;
var MODE = 100;
var UID = 108;
var GID = 116;
var SIZE = 124;
var MTIME = 136;
var CHKSUM = 148;
var TYPEFLAG = 156;
var LINKNAME = 157;
var MAGIC = 257;
var UNAME = 265;
var GNAME = 297;
var PREFIX2 = 345;
function padding(size) {
  const rest = size % BLOCK2;
  return rest === 0 ? 0 : BLOCK2 - rest;
}
function verifyBlock(b, at) {
  let sum = 0;
  for (let i = 0; i < BLOCK2; i++) sum += b[i];
  if (sum === 0) return false;
  let field = 0;
  let signedField = 0;
  for (let i = CHKSUM; i < CHKSUM + 8; i++) {
    const x = b[i];
    field += x;
    signedField += x >= 128 ? x - 256 : x;
  }
  const unsigned = sum - field + 8 * 32;
  let stored;
  try {
    stored = readOctal(b, CHKSUM, 8, "checksum", at);
  } catch {
    throw new TarFormatError(`bad tar header checksum field at offset ${at}`);
  }
  if (stored === unsigned) return true;
  let signed = 0;
  for (let i = 0; i < BLOCK2; i++) {
    const x = b[i];
    signed += x >= 128 ? x - 256 : x;
  }
  signed = signed - signedField + 8 * 32;
  if (stored === signed) return true;
  throw new TarFormatError(`bad tar header checksum at offset ${at} (stored ${stored}, computed ${unsigned})`);
}
function readNumber(b, off, len, what, at) {
  const first = b[off];
  if ((first & 128) === 0) return readOctal(b, off, len, what, at);
  const negative = (first & 64) !== 0;
  let v = negative ? ~first & 63 : first & 63;
  for (let i = off + 1; i < off + len; i++) {
    const x = b[i];
    v = v * 256 + (negative ? ~x & 255 : x);
    if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`absurd ${what} field at offset ${at}`);
  }
  return negative ? -(v + 1) : v;
}
function readOctal(b, off, len, what, at) {
  const end = off + len;
  let i = off;
  while (i < end && b[i] === 32) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i];
    if (c < 48 || c > 55) break;
    v = v * 8 + (c - 48);
  }
  if (i < end && b[i] !== 0 && b[i] !== 32) {
    throw new TarFormatError(
      `invalid ${what} field at offset ${at}: ${JSON.stringify(b.toString("latin1", off, end))}`
    );
  }
  return v;
}
function cString(b, off, len) {
  let end = off;
  const max = off + len;
  while (end < max && b[end] !== 0) end++;
  return end === off ? "" : b.toString("utf8", off, end);
}
function buildEntry(h, pax, global, longName, longLink, at) {
  const tf = h[TYPEFLAG];
  const isUstar = h[MAGIC] === 117 && h[MAGIC + 1] === 115 && h[MAGIC + 2] === 116 && h[MAGIC + 3] === 97 && h[MAGIC + 4] === 114;
  const posixPrefix = isUstar && h[MAGIC + 5] === 0;
  let path13;
  if (pax?.path !== void 0) path13 = pax.path;
  else if (longName !== void 0) path13 = longName;
  else {
    path13 = cString(h, NAME, 100);
    if (posixPrefix && h[PREFIX2] !== 0) path13 = cString(h, PREFIX2, 155) + "/" + path13;
  }
  const mode = readNumber(h, MODE, 8, "mode", at) & 4095;
  const headerUid = readNumber(h, UID, 8, "uid", at);
  const headerGid = readNumber(h, GID, 8, "gid", at);
  const headerSize = readNumber(h, SIZE, 12, "size", at);
  const headerMtime = readNumber(h, MTIME, 12, "mtime", at);
  if (headerSize < 0) throw new TarFormatError(`negative size field at offset ${at}`);
  if (headerUid < 0 || headerGid < 0) throw new TarFormatError(`negative uid/gid field at offset ${at}`);
  const dataSize = pax?.size ?? headerSize;
  let kind;
  switch (tf) {
    case 48:
    // '0'
    case 0:
    // '\0' (old regular file)
    case 55:
      kind = path13.charCodeAt(path13.length - 1) === 47 ? "directory" : "file";
      break;
    case 49:
      kind = "hardlink";
      break;
    case 50:
      kind = "symlink";
      break;
    case 51:
      kind = "char-device";
      break;
    case 52:
      kind = "block-device";
      break;
    case 53:
      kind = "directory";
      break;
    case 54:
      kind = "fifo";
      break;
    default:
      kind = "other";
  }
  if (kind === "file" && pax?.sparse) kind = "other";
  if (kind === "directory" && path13.charCodeAt(path13.length - 1) === 47) path13 = path13.slice(0, -1);
  const entry = {
    path: path13,
    kind,
    typeflag: String.fromCharCode(tf),
    mode,
    uid: pax?.uid ?? global.uid ?? headerUid,
    gid: pax?.gid ?? global.gid ?? headerGid,
    size: kind === "file" ? dataSize : 0,
    mtime: pax?.mtime ?? global.mtime ?? headerMtime
  };
  if (kind === "symlink" || kind === "hardlink") {
    entry.linkTarget = pax?.linkpath ?? longLink ?? cString(h, LINKNAME, 100);
  }
  const uname = pax?.uname ?? global.uname ?? (isUstar ? cString(h, UNAME, 32) : "");
  if (uname !== "") entry.uname = uname;
  const gname = pax?.gname ?? global.gname ?? (isUstar ? cString(h, GNAME, 32) : "");
  if (gname !== "") entry.gname = gname;
  return { entry, dataSize };
}

// src/archive/tar-pax.ts
function parsePax(data, into, global, at) {
  const n = data.length;
  let i = 0;
  while (i < n) {
    if (data[i] === 0) {
      for (let j2 = i; j2 < n; j2++) if (data[j2] !== 0) throw malformedPax(at, "garbage after NUL");
      return;
    }
    let len = 0;
    let j = i;
    while (j < n) {
      const c = data[j];
      if (c < 48 || c > 57) break;
      len = len * 10 + (c - 48);
      if (len > n) throw malformedPax(at, "record length beyond the header");
      j++;
    }
    if (j === i || j >= n || data[j] !== 32) throw malformedPax(at, "bad record length");
    const end = i + len;
    if (end > n || end <= j + 2 || data[end - 1] !== 10) throw malformedPax(at, "record not terminated by a newline");
    const eq = data.indexOf(61, j + 1);
    if (eq < 0 || eq >= end - 1 || eq === j + 1) throw malformedPax(at, "record without key=value");
    const key = data.toString("utf8", j + 1, eq);
    const value = data.toString("utf8", eq + 1, end - 1);
    applyPax(into, key, value, global, at);
    i = end;
  }
}
function malformedPax(at, why) {
  return new TarFormatError(`malformed pax header at offset ${at}: ${why}`);
}
function applyPax(into, key, value, global, at) {
  const unset = value === "";
  switch (key) {
    case "path":
    case "linkpath":
      if (value.indexOf("\0") !== -1) throw malformedPax(at, `NUL in ${key}`);
      if (global) return;
      if (unset) delete into[key];
      else into[key] = value;
      return;
    case "size":
      if (global) return;
      if (unset) delete into.size;
      else into.size = paxInteger(value, key, at);
      return;
    case "uid":
    case "gid":
      if (unset) delete into[key];
      else into[key] = paxInteger(value, key, at);
      return;
    case "mtime":
      if (unset) delete into.mtime;
      else into.mtime = paxTime(value, at);
      return;
    case "uname":
    case "gname":
      if (unset) delete into[key];
      else into[key] = value;
      return;
    default:
      if (!global && key.startsWith("GNU.sparse.")) into.sparse = true;
  }
}
function paxInteger(value, key, at) {
  if (value.length > 16 || !/^[0-9]+$/.test(value)) throw malformedPax(at, `bad ${key} ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw malformedPax(at, `absurd ${key} ${value}`);
  return n;
}
function paxTime(value, at) {
  if (value.length > 40 || !/^-?[0-9]+(\.[0-9]*)?$/.test(value))
    throw malformedPax(at, `bad mtime ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isFinite(n)) throw malformedPax(at, `bad mtime ${value}`);
  return n;
}

// src/archive/tar-reader.ts
var MAX_PAX_SIZE = 1 << 20;
var MAX_LONG_NAME = 64 << 10;
var EMPTY2 = Buffer.alloc(0);
var Input = class {
  constructor(source, release) {
    this.release = release;
    this.it = source[Symbol.asyncIterator]();
  }
  release;
  it;
  buf = EMPTY2;
  pos = 0;
  /** bytes of input before `buf` */
  base = 0;
  ended = false;
  busy = false;
  scratch = Buffer.allocUnsafe(BLOCK2);
  get offset() {
    return this.base + this.pos;
  }
  /** Make at least one byte available at `pos`; false at the end of input. */
  async more() {
    if (this.busy) {
      throw new Error("readTar: concurrent reads (read one body at a time, and not while asking for the next entry)");
    }
    this.busy = true;
    try {
      while (this.pos >= this.buf.length) {
        if (this.ended) return false;
        const r = await this.it.next();
        this.base += this.buf.length;
        this.pos = 0;
        if (this.release && this.buf !== EMPTY2) this.release(this.buf);
        if (r.done) {
          this.ended = true;
          this.buf = EMPTY2;
          return false;
        }
        const c = r.value;
        if (!(c instanceof Uint8Array)) throw new TypeError("readTar: input chunks must be Buffers or Uint8Arrays");
        this.buf = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      }
      return true;
    } finally {
      this.busy = false;
    }
  }
  /**
   * The next 512-byte block, or null at a clean end of input. The block may be a view
   * of the input or a shared scratch buffer: use it before reading anything else.
   */
  /** The next block if it is whole in the current chunk (no await), else undefined. */
  blockNow() {
    if (this.buf.length - this.pos < BLOCK2) return void 0;
    const b = this.buf.subarray(this.pos, this.pos + BLOCK2);
    this.pos += BLOCK2;
    return b;
  }
  async block() {
    if (this.pos >= this.buf.length && !await this.more()) return null;
    if (this.buf.length - this.pos >= BLOCK2) {
      const b = this.buf.subarray(this.pos, this.pos + BLOCK2);
      this.pos += BLOCK2;
      return b;
    }
    return this.gather(this.scratch, BLOCK2, "a header");
  }
  /** Exactly n bytes (n is capped by the caller), as a view when possible. */
  async bytes(n, what) {
    if (n === 0) return EMPTY2;
    if (this.pos >= this.buf.length && !await this.more()) throw truncated(what, this.offset);
    if (this.buf.length - this.pos >= n) {
      const b = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return b;
    }
    return this.gather(Buffer.allocUnsafe(n), n, what);
  }
  async gather(out, n, what) {
    let got = 0;
    while (got < n) {
      if (this.pos >= this.buf.length && !await this.more()) throw truncated(what, this.offset);
      const take = Math.min(n - got, this.buf.length - this.pos);
      this.buf.copy(out, got, this.pos, this.pos + take);
      this.pos += take;
      got += take;
    }
    return out;
  }
  /** Skip n bytes if they are all in the current chunk (no await). */
  skipNow(n) {
    if (this.buf.length - this.pos < n) return false;
    this.pos += n;
    return true;
  }
  async skip(n, what) {
    while (n > 0) {
      if (this.pos >= this.buf.length && !await this.more()) throw truncated(what, this.offset);
      const take = Math.min(n, this.buf.length - this.pos);
      this.pos += take;
      n -= take;
    }
  }
  /** Read and discard the rest of the input (so upstream integrity checks run). */
  async drain() {
    this.pos = this.buf.length;
    while (await this.more()) this.pos = this.buf.length;
  }
  async close() {
    if (this.ended) return;
    this.ended = true;
    try {
      await this.it.return?.();
    } catch {
    }
  }
};
function truncated(what, offset) {
  return new TarFormatError(`truncated tar archive: input ends inside ${what} (offset ${offset})`);
}
var Body = class {
  constructor(input, size) {
    this.input = input;
    this.left = size;
  }
  input;
  left;
  detached = false;
  [Symbol.asyncIterator]() {
    return this;
  }
  async next() {
    if (this.left === 0) return { done: true, value: void 0 };
    if (this.detached) {
      throw new Error(
        "readTar: an entry body was read after the next entry was requested (or iteration ended); its content was skipped"
      );
    }
    const input = this.input;
    if (input.pos >= input.buf.length && !await input.more()) throw truncated("file content", input.offset);
    const take = Math.min(this.left, input.buf.length - input.pos);
    const chunk = input.buf.subarray(input.pos, input.pos + take);
    input.pos += take;
    this.left -= take;
    return { done: false, value: chunk };
  }
  async return() {
    return { done: true, value: void 0 };
  }
  /** The reader moves on: returns how many content bytes are left to skip. */
  detach() {
    this.detached = true;
    return this.left;
  }
};
async function* readTar(source, options = {}) {
  const input = new Input(source, options.release);
  const global = {};
  let finished = false;
  let body;
  try {
    for (; ; ) {
      let pax = null;
      let longName;
      let longLink;
      let pending = false;
      let header;
      let at;
      for (; ; ) {
        at = input.offset;
        const block = input.blockNow() ?? await input.block();
        if (block === null) {
          if (pending) throw truncated("an entry (after its extended header)", at);
          if (at === 0) throw new TarFormatError("empty input: not a tar archive");
          finished = true;
          return;
        }
        if (!verifyBlock(block, at)) {
          if (pending) throw new TarFormatError(`tar archive ends right after an extended header (offset ${at})`);
          await input.drain();
          finished = true;
          return;
        }
        const tf = block[TYPEFLAG];
        if (tf === 120 || tf === 103) {
          const size = readNumber(block, SIZE, 12, "size", at);
          if (size > MAX_PAX_SIZE)
            throw new TarFormatError(`pax header of ${size} bytes at offset ${at} exceeds 1 MiB`);
          const data = await input.bytes(size, "a pax header");
          if (tf === 120) {
            pax ??= {};
            parsePax(data, pax, false, at);
            pending = true;
          } else {
            parsePax(data, global, true, at);
          }
          await input.skip(padding(size), "a pax header");
          continue;
        }
        if (tf === 76 || tf === 75) {
          const size = readNumber(block, SIZE, 12, "size", at);
          if (size > MAX_LONG_NAME)
            throw new TarFormatError(`GNU long name of ${size} bytes at offset ${at} exceeds 64 KiB`);
          const data = await input.bytes(size, "a GNU long name");
          const name = cString(data, 0, data.length);
          if (tf === 76) longName = name;
          else longLink = name;
          pending = true;
          await input.skip(padding(size), "a GNU long name");
          continue;
        }
        header = block;
        break;
      }
      const { entry, dataSize } = buildEntry(header, pax, global, longName, longLink, at);
      const skip = entry.kind === "file" ? 0 : header[TYPEFLAG] === 53 ? 0 : dataSize;
      body = new Body(input, entry.size);
      yield { entry, body };
      const rest = body.detach() + skip + padding(entry.size + skip);
      body = void 0;
      if (rest > 0 && !input.skipNow(rest)) await input.skip(rest, entry.size > 0 ? "file content" : "entry data");
    }
  } finally {
    body?.detach();
    if (!finished) await input.close();
  }
}

// src/archive/ranged-read.ts
function damaged(detail) {
  return new IntegrityError(`a ranged read of the archive failed: ${detail}`);
}
function lengthHeaderBytes(length) {
  return length < 192 ? 1 : length < 8384 ? 2 : 5;
}
function checkIndex(index) {
  const whole = (n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (!whole(index.batch) || index.batch === 0 || index.batch % 512 !== 0 || !whole(index.head) || !Array.isArray(index.members) || index.members.length === 0 || !index.members.every(whole) || !Array.isArray(index.parts) || index.parts.length === 0 || !index.parts.every((p, i, all) => {
    if (!Array.isArray(p) || p.length !== 2 || !whole(p[0]) || !whole(p[1])) return false;
    const before = all[i - 1];
    return !before || p[0] > before[0] && p[1] > before[1];
  }))
    throw new IntegrityError("the archive index in the manifest is malformed");
}
async function openIndexedArchive(read, size, index, keys, known) {
  checkIndex(index);
  const stats = { reads: 0, bytes: 0 };
  const fetch2 = async (offset, length) => {
    const chunks = [];
    for await (const chunk of await read(offset, length)) chunks.push(Buffer.from(chunk));
    const got = Buffer.concat(chunks);
    stats.reads += 1;
    stats.bytes += got.length;
    if (got.length !== length) throw damaged(`${length} bytes at ${offset} were asked for, ${got.length} came`);
    return got;
  };
  const { head } = index;
  const after = size - head - 1;
  let full = -1;
  let lastHeader = 0;
  for (const k of [Math.floor(after / (PART2 + 1)), Math.floor(after / (PART2 + 1)) - 1]) {
    const rest = after - k * (PART2 + 1);
    for (const h of [1, 2, 5]) {
      if (k >= 0 && full < 0 && rest - h >= 0 && rest - h <= PART2 && lengthHeaderBytes(rest - h) === h) {
        full = k;
        lastHeader = h;
      }
    }
  }
  if (full < 0) throw damaged(`its size (${size} bytes) does not fit the layout its index describes`);
  const bodyBytes = full * PART2 + (after - full * (PART2 + 1) - lastHeader);
  const fileOf = (c) => {
    const k = Math.min(Math.floor(c / PART2), full);
    return head + 1 + k * (PART2 + 1) + (k < full ? 1 : lastHeader) + (c - k * PART2);
  };
  async function* body(from, to) {
    const start2 = fileOf(from);
    const end = fileOf(to - 1) + 1;
    stats.reads += 1;
    let at = start2;
    for await (const piece of await read(start2, end - start2)) {
      let chunk = Buffer.from(piece);
      stats.bytes += chunk.length;
      while (chunk.length > 0) {
        const k = Math.min(Math.floor((at - head - 1) / (PART2 + 1)), full);
        const headerAt = head + 1 + k * (PART2 + 1);
        const headerEnd = headerAt + (k < full ? 1 : lastHeader);
        if (at < headerEnd) {
          const skip = Math.min(headerEnd - at, chunk.length);
          chunk = chunk.subarray(skip);
          at += skip;
          continue;
        }
        const nextHeader = head + 1 + (k + 1) * (PART2 + 1);
        const take = k < full ? Math.min(nextHeader - at, chunk.length) : chunk.length;
        yield chunk.subarray(0, take);
        chunk = chunk.subarray(take);
        at += take;
      }
    }
    if (at !== end) throw damaged(`the read of bytes ${start2}-${end - 1} ended at ${at}`);
  }
  const start = Math.min(bodyBytes, 1 + 2 * BLOCK);
  const opening = await fetch2(0, Math.min(size, fileOf(start - 1) + 1));
  if (opening[head] !== (192 | TAG.seipd)) throw damaged("no encrypted data packet where its index says");
  const sessionKey = known ? givenKey(known) : await decryptSessionKey(opening.subarray(0, head), keys);
  checkQuick(sessionKey, opening.subarray(fileOf(0), fileOf(start - 1) + 1));
  const members = index.members;
  const memberStart = [0];
  for (const bytes of members) memberStart.push(memberStart.at(-1) + bytes);
  return {
    stats,
    async *items(from, to, count) {
      const first = Math.floor(from / index.batch);
      const last = to === void 0 ? members.length - 1 : Math.floor((to - 1) / index.batch);
      if (first >= members.length || last >= members.length || last < first)
        throw damaged(`tar bytes ${from}-${to ?? "end"} lie outside its ${members.length} gzip members`);
      const literalFrom = LITERAL_HEADER.length + memberStart[first];
      const literalTo = LITERAL_HEADER.length + memberStart[last + 1];
      let p = 0;
      for (let lo = 0, hi = index.parts.length - 1; lo <= hi; ) {
        const mid = lo + hi >> 1;
        if (index.parts[mid][0] <= literalFrom) {
          p = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const [literalStart, plainStart] = index.parts[p];
      let runs = 1;
      for (let q = p + 1; q < index.parts.length && index.parts[q][0] < literalTo; q++) runs += 1;
      const plainEnd = Math.min(bodyBytes - 1, plainStart + (literalTo - literalStart) + runs * 32 + 8);
      const block = Math.floor(plainStart / BLOCK) * BLOCK;
      const cipher = body(1 + Math.max(0, block - BLOCK), 1 + plainEnd);
      const literal = literalBytes(decrypt(cipher, sessionKey, block > 0), plainStart - block);
      const gzip3 = Readable2.from(window(literal, literalFrom - literalStart, literalTo - literalFrom), {
        objectMode: false
      });
      const tar = gzip3.pipe(createGunzip({ chunkSize: 1 << 18 }));
      gzip3.once("error", (error) => tar.destroy(error));
      let yielded = 0;
      try {
        const source = window(tar, from - first * index.batch, Number.POSITIVE_INFINITY);
        for await (const item of readTar(source)) {
          yield item;
          if (++yielded === count) break;
        }
      } catch (error) {
        if (error instanceof IntegrityError || error instanceof KeyError) throw error;
        throw damaged(error instanceof Error ? error.message : String(error));
      } finally {
        gzip3.destroy();
        tar.destroy();
      }
      if (yielded < count) throw damaged(`tar bytes ${from}-${to ?? "end"} hold ${yielded} of ${count} entries`);
    }
  };
}
function givenKey(known) {
  const bytes = AES_KEY_BYTES[known.algorithm];
  if (bytes === void 0 || typeof known.key !== "string" || !new RegExp(`^[0-9a-f]{${2 * bytes}}$`).test(known.key))
    throw damaged("the archive key in its manifest is malformed");
  return { algorithm: known.algorithm, key: Buffer.from(known.key, "hex"), via: "manifest" };
}
function checkQuick(sessionKey, start) {
  if (start[0] !== 1) throw damaged(`unknown encrypted data packet version ${start[0]}`);
  const cfb = new CfbDecipher(sessionKey);
  const prefix = Buffer.concat([cfb.update(start.subarray(1)), cfb.final()]);
  if (prefix.length < PREFIX) throw damaged("the encrypted data is too short");
  if (prefix[BLOCK] !== prefix[BLOCK - 2] || prefix[BLOCK + 1] !== prefix[BLOCK - 1]) {
    if (sessionKey.via === "manifest")
      throw damaged("the archive key in its manifest does not open it (the archive was replaced or damaged)");
    throw new KeyError(
      sessionKey.via === "passphrase" ? WRONG_PASSPHRASE : "the session key does not decrypt this archive (wrong key, or the start of the archive is damaged)"
    );
  }
}
async function* decrypt(cipher, sessionKey, withPrevious) {
  let cfb = withPrevious ? void 0 : new CfbDecipher(sessionKey);
  let previous = Buffer.alloc(0);
  for await (let chunk of cipher) {
    if (!cfb) {
      const need = BLOCK - previous.length;
      previous = Buffer.concat([previous, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      if (previous.length < BLOCK) continue;
      cfb = new CfbDecipher(sessionKey, previous);
    }
    const plain = cfb.update(chunk);
    if (plain.length > 0) yield Buffer.from(plain);
  }
  const rest = cfb?.final();
  if (rest && rest.length > 0) yield Buffer.from(rest);
}
async function* literalBytes(plain, skip) {
  let toSkip = skip;
  let left = 0;
  let last = false;
  let header = [];
  for await (let chunk of plain) {
    while (chunk.length > 0) {
      if (toSkip > 0) {
        const n = Math.min(toSkip, chunk.length);
        chunk = chunk.subarray(n);
        toSkip -= n;
        continue;
      }
      if (left > 0) {
        const n = Math.min(left, chunk.length);
        yield chunk.subarray(0, n);
        chunk = chunk.subarray(n);
        left -= n;
        if (left === 0 && last) return;
        continue;
      }
      if (last) return;
      header.push(chunk[0]);
      chunk = chunk.subarray(1);
      const o = header[0];
      if (o >= 224 && o < 255) {
        left = 2 ** (o & 31);
      } else if (o < 192) {
        left = o;
        last = true;
      } else if (o < 224) {
        if (header.length < 2) continue;
        left = (o - 192 << 8) + header[1] + 192;
        last = true;
      } else {
        if (header.length < 5) continue;
        left = Buffer.from(header.slice(1)).readUInt32BE(0);
        last = true;
      }
      header = [];
      if (left === 0 && last) return;
    }
  }
}
async function* window(source, skip, length) {
  let toSkip = skip;
  let left = length;
  for await (let chunk of source) {
    if (toSkip > 0) {
      const n = Math.min(toSkip, chunk.length);
      chunk = chunk.subarray(n);
      toSkip -= n;
      if (chunk.length === 0) continue;
    }
    if (chunk.length >= left) {
      if (left > 0) yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.length;
    yield chunk;
  }
  if (toSkip > 0 || Number.isFinite(length) && left > 0)
    throw damaged("the data ends before the entries its index places there");
}

// src/domain/manifest.ts
var MANIFEST_FORMAT = "ripcord-manifest/1";
function manifestHeader(roots) {
  return `{"format":"${MANIFEST_FORMAT}","roots":${JSON.stringify(roots)},"entries":[
`;
}
function manifestEntryLine(entry, first, text2 = JSON.stringify(entry)) {
  return `${first ? "" : ","}${text2}
`;
}
function manifestTrailer(trailer) {
  const key = trailer.archiveKey ? `,"archiveKey":${JSON.stringify(trailer.archiveKey)}` : "";
  const index = trailer.index ? `,"index":${JSON.stringify(trailer.index)}` : "";
  return `],"archive":${JSON.stringify(trailer.archive)}${key}${index},"snapshot":${JSON.stringify(trailer.snapshot)}}
`;
}
function bindingOf(metadata) {
  const { objects: _objects, metadataSha256: _sum, ...binding } = metadata;
  return binding;
}
function formatMode(mode) {
  return (mode & 4095).toString(8).padStart(4, "0");
}
function parseMode(mode) {
  return Number.parseInt(mode, 8);
}
function parseManifestLine(line, index) {
  if (index === 0) {
    const m = /^\{"format":"([^"]+)","roots":(\[.*\]),"entries":\[$/.exec(line);
    if (!m || m[1] !== MANIFEST_FORMAT) throw new Error("manifest header is malformed");
    const roots = JSON.parse(m[2]);
    if (!Array.isArray(roots) || !roots.every((r) => typeof r === "string"))
      throw new Error("manifest roots are malformed");
    return { kind: "header", roots };
  }
  if (line.startsWith("],")) {
    const value = JSON.parse(`{${line.slice(2)}`);
    if (!value.archive || !value.snapshot) throw new Error("manifest trailer is malformed");
    return { kind: "trailer", trailer: value };
  }
  const entry = JSON.parse(line.startsWith(",") ? line.slice(1) : line);
  if (typeof entry.path !== "string" || typeof entry.type !== "string")
    throw new Error(`manifest line ${index + 1} is malformed`);
  return { kind: "entry", entry };
}

// src/ops/snapshot-signature.ts
var SIGNATURE_OBJECT = "snapshot.json.sig";
var SIGNER_OBJECT = "signer.asc";
var MAX_SIGNATURE_BYTES = 64 << 10;
async function signSnapshot(store, id, metadataText, keys) {
  if (!keys.signing) return;
  const { publicKey } = await inspectSigningKey(keys.signing);
  const signature = await signDetached(Buffer.from(metadataText), keys.signing);
  await store.put(`${id}/${SIGNER_OBJECT}`, Buffer.from(publicKey));
  await store.put(`${id}/${SIGNATURE_OBJECT}`, Buffer.from(signature));
}
function signatureRequired(keys) {
  const trust = keys.trust;
  return Boolean(keys.identities?.length) || Boolean(trust && (trust.keys.length > 0 || trust.fingerprints.length > 0));
}
function checkRollbackPossible(keys, decryptionKeys) {
  if (keys.signing || !signatureRequired(decryptionKeys) || decryptionKeys.trust?.allowUnsigned) return;
  throw new UsageError(
    "the pre-deploy snapshot would be unsigned, and with RIPCORD_IDENTITY only signed snapshots are restored, so this deploy could not roll back: set RIPCORD_SIGNING_KEY (docs/security.md)"
  );
}
var checked = /* @__PURE__ */ new WeakMap();
function requireTrustedSignature(store, snapshot, keys) {
  if (!signatureRequired(keys)) return Promise.resolve();
  let check = checked.get(snapshot);
  if (!check) {
    check = checkSignature(store, snapshot, keys.trust ?? { keys: [], fingerprints: [], allowUnsigned: false });
    checked.set(snapshot, check);
  }
  return check;
}
async function checkSignature(store, snapshot, trust) {
  const id = snapshot.id;
  const signature = await readBounded(store, `${id}/${SIGNATURE_OBJECT}`);
  const keys = trust.ownKey ? [...trust.keys, trust.ownKey] : trust.keys;
  const none = keys.length === 0 && trust.fingerprints.length === 0;
  if (signature === void 0) {
    if (trust.allowUnsigned) {
      trust.warn?.(
        `snapshot ${id} is NOT signed and is used anyway (--allow-unsigned): anyone who can write to the repository and holds its public key could have made it`
      );
      return;
    }
    throw new SignatureError(
      `snapshot ${id} is not signed, so anyone holding the repository's public key could have made it: refusing to use it (for a snapshot made before signing was set up, and only if you trust it, pass --allow-unsigned)`
    );
  }
  const signer = await readBounded(store, `${id}/${SIGNER_OBJECT}`);
  const result = await checkDetachedSignature(Buffer.from(serializeMetadata(snapshot)), signature, {
    keys,
    fingerprints: trust.fingerprints,
    ...signer ? { offered: signer } : {}
  });
  if (result.status === "trusted") return;
  if (result.status === "bad") {
    throw new SignatureError(
      `snapshot ${id}: its signature (${SIGNATURE_OBJECT}) does not verify: ${result.reason}; snapshot.json was changed or the snapshot was forged, refusing to use it`
    );
  }
  if (none) {
    throw new SignatureError(
      `snapshot ${id} is signed by ${result.signer}, but no trusted signers are configured: refusing to use it (set RIPCORD_TRUSTED_SIGNERS or --trusted-signer to the public key or fingerprint of the key your backups sign with)`
    );
  }
  throw new SignatureError(
    `snapshot ${id} is signed by ${result.signer}, which is not a trusted signer: refusing to use it (if that key is yours, add it to RIPCORD_TRUSTED_SIGNERS)`
  );
}
async function readBounded(store, key) {
  let stream;
  try {
    stream = await store.get(key);
  } catch (error) {
    if (error instanceof NotFoundError) return void 0;
    throw error;
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > MAX_SIGNATURE_BYTES) {
      stream.destroy();
      throw new SignatureError(
        `${key} is larger than ${MAX_SIGNATURE_BYTES >> 10} KiB: not a signature ripcord wrote; refusing to use the snapshot`
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
async function copySignature(source, destination, id, written2) {
  for (const object of [SIGNER_OBJECT, SIGNATURE_OBJECT]) {
    const text2 = await readBounded(source, `${id}/${object}`);
    if (text2 === void 0) continue;
    written2.push(`${id}/${object}`);
    await destination.put(`${id}/${object}`, Buffer.from(text2));
  }
}

// src/ops/manifest-lines.ts
import { StringDecoder } from "node:string_decoder";
var ManifestParser = class {
  roots;
  #trailer;
  #index = 0;
  /** The entry on this line, or undefined for the header and the trailer. */
  line(text2) {
    const index = this.#index++;
    const line = parseManifestLine(text2, index);
    if (index === 0) {
      if (line.kind !== "header") throw new IntegrityError("the manifest has no header");
      this.roots = line.roots;
      return void 0;
    }
    if (line.kind === "trailer") {
      this.#trailer = line.trailer;
      return void 0;
    }
    if (line.kind !== "entry" || this.#trailer) throw new IntegrityError("the manifest is malformed");
    return line.entry;
  }
  trailer() {
    if (this.#index === 0) throw new IntegrityError("the manifest is empty");
    if (!this.#trailer) throw new IntegrityError("the manifest has no trailer (truncated)");
    return this.#trailer;
  }
};
async function parseManifest(lines) {
  const iterator = lines[Symbol.asyncIterator]();
  const parser = new ManifestParser();
  const first = await iterator.next();
  if (first.done) throw new IntegrityError("the manifest is empty");
  parser.line(first.value);
  async function* entries() {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const entry = parser.line(next.value);
      if (entry) yield entry;
    }
  }
  return { roots: parser.roots, entries: entries(), trailer: () => parser.trailer() };
}
async function readManifestEntries(stream, options = {}) {
  const parser = new ManifestParser();
  const split = new LineSplitter();
  const entries = [];
  const kept = options.lines ? [] : void 0;
  const take = (lines) => {
    for (const line of lines) {
      const entry = parser.line(line);
      if (entry) {
        entries.push(entry);
        kept?.push(line);
      }
    }
  };
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) take(split.push(chunk));
  take(split.end());
  const trailer = parser.trailer();
  return { roots: parser.roots, entries, trailer, ...kept ? { lines: kept } : {} };
}
var MAX_LINE = 1 << 20;
var LineSplitter = class {
  #decoder = new StringDecoder("utf8");
  #partial = "";
  push(chunk) {
    const lines = (this.#partial + this.#decoder.write(chunk)).split("\n");
    this.#partial = lines.pop();
    if (this.#partial.length > MAX_LINE)
      throw new IntegrityError(`a line longer than ${MAX_LINE >> 20} MiB: this is not a manifest`);
    for (let i = 0; i < lines.length; i++) if (lines[i].endsWith("\r")) lines[i] = lines[i].slice(0, -1);
    return lines;
  }
  end() {
    const last = this.#partial + this.#decoder.end();
    this.#partial = "";
    return last === "" ? [] : [last.endsWith("\r") ? last.slice(0, -1) : last];
  }
};
async function* linesOf(stream) {
  const split = new LineSplitter();
  for await (const chunk of stream) yield* split.push(chunk);
  yield* split.end();
}
var TRAILER_START = Buffer.from("\n],");
async function* selectedLines(stream, select) {
  let carry;
  let first = true;
  const pick = (line) => {
    const text2 = line.at(-1) === 13 ? line.subarray(0, -1) : line;
    const chosen = first || text2[0] === 93 && text2[1] === 44 || select.keep(text2);
    first = false;
    return chosen ? text2.toString("utf8") : void 0;
  };
  const nextLook = (data, start) => {
    const needle = first ? void 0 : select.seek?.();
    if (!needle) return start;
    if (start === 0 && data[0] === 93 && data[1] === 44) return 0;
    const hit = data.indexOf(needle, start);
    const trailer = data.indexOf(TRAILER_START, Math.max(0, start - 1));
    if (trailer !== -1 && (hit === -1 || trailer < hit)) return trailer + 1;
    return hit === -1 ? -1 : data.lastIndexOf(10, hit) + 1;
  };
  for await (const chunk of stream) {
    const data = chunk;
    let start = 0;
    if (carry) {
      const end = data.indexOf(10);
      if (end === -1) carry = Buffer.concat([carry, data]);
      else {
        const line = pick(Buffer.concat([carry, data.subarray(0, end)]));
        carry = void 0;
        start = end + 1;
        if (line !== void 0) yield line;
      }
    }
    while (!carry && start < data.length) {
      const look = nextLook(data, start);
      const from = look === -1 ? data.lastIndexOf(10) + 1 : Math.max(start, look);
      const end = look === -1 ? -1 : data.indexOf(10, from);
      if (end === -1) {
        if (from < data.length) carry = Buffer.from(data.subarray(from));
        break;
      }
      const line = pick(data.subarray(from, end));
      start = end + 1;
      if (line !== void 0) yield line;
    }
    if (carry && carry.length > MAX_LINE)
      throw new IntegrityError(`a line longer than ${MAX_LINE >> 20} MiB: this is not a manifest`);
  }
  const last = carry && carry.length > 0 ? pick(carry) : void 0;
  if (last !== void 0) yield last;
}

// src/ops/read-snapshot.ts
function chain(first, ...rest) {
  return pipeline2([first, ...rest], () => {
  });
}
async function drain(stream) {
  for await (const _ of stream) ;
}
function describeFailure(snapshot, object, error) {
  if (error instanceof RipcordError && !(error instanceof IntegrityError)) return error;
  const reason2 = error instanceof Error ? error.message : String(error);
  return new IntegrityError(
    `snapshot ${snapshot.id}: ${object} is damaged or was tampered with (${reason2}); use another copy of this snapshot (ripcord copy) or an older snapshot`,
    { cause: error }
  );
}
async function openDecrypted(store, snapshot, object, keys, options = {}) {
  await requireTrustedSignature(store, snapshot, keys);
  const key = `${snapshot.id}/${object}`;
  const decrypt2 = createDecryptStream(keys, { name: `snapshot ${snapshot.id}`, ownOutput: options.ownOutput === true });
  let stored;
  let decrypted;
  if (store.openFile) {
    const checksum = new RunningChecksum();
    feedFromFile(await store.openFile(key), checksum, decrypt2, object === MANIFEST_OBJECT ? MANIFEST_READ : FILE_READ);
    stored = checksum;
    decrypted = decrypt2;
  } else {
    const checksum = new ChecksumStream();
    stored = checksum;
    decrypted = chain(await store.get(key), checksum, decrypt2);
  }
  const plaintext = options.checked ? decrypted : damageBeforeWrongKey(
    decrypted,
    async () => checkStoredChecksum(snapshot, object, await storedChecksum(store, key))
  );
  return { plaintext, stored };
}
var FILE_READ = 1 << 20;
var MANIFEST_READ = 1 << 16;
async function storedChecksum(store, key) {
  if (!store.openFile) return checksumOf(await store.get(key));
  const file = await store.openFile(key);
  try {
    const checksum = new RunningChecksum();
    const buffers = [Buffer.allocUnsafeSlow(4 * FILE_READ), Buffer.allocUnsafeSlow(4 * FILE_READ)];
    let reading = file.read(buffers[0]);
    for (let turn = 0; ; turn ^= 1) {
      const length = await reading;
      if (length === 0) break;
      reading = file.read(buffers[turn ^ 1]);
      checksum.update(buffers[turn].subarray(0, length));
    }
    return checksum.end();
  } finally {
    await file.close();
  }
}
function feedFromFile(file, checksum, sink, readSize) {
  const pump = async () => {
    const buffers = [Buffer.allocUnsafeSlow(readSize), Buffer.allocUnsafeSlow(readSize)];
    const written2 = [Promise.resolve(), Promise.resolve()];
    for (let turn = 0; ; turn ^= 1) {
      await written2[turn];
      if (sink.destroyed) return;
      const length = await file.read(buffers[turn]);
      if (length === 0) break;
      const chunk = buffers[turn].subarray(0, length);
      checksum.update(chunk);
      const write = new Promise((resolve8, reject) => {
        sink.write(chunk, (error) => error ? reject(error) : resolve8());
      });
      write.catch(() => {
      });
      written2[turn] = write;
    }
    await Promise.all(written2);
    checksum.end();
    sink.end();
  };
  sink.on("error", () => {
  });
  pump().catch((error) => sink.destroy(error)).finally(() => file.close().catch(() => {
  }));
}
function damageBeforeWrongKey(source, checkDamage) {
  const out = new PassThrough2({ highWaterMark: 1 << 20 });
  source.on("error", (error) => {
    if (!(error instanceof KeyError) || error instanceof SignatureError) {
      out.destroy(error);
      return;
    }
    checkDamage().then(
      () => out.destroy(error),
      (damage) => out.destroy(damage instanceof IntegrityError ? damage : error)
    );
  });
  out.on("close", () => source.destroy());
  source.pipe(out);
  return out;
}
function checkStoredChecksum(snapshot, object, actual) {
  const expected = snapshot.objects[object];
  if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
    throw new IntegrityError(
      `snapshot ${snapshot.id}: ${object} is damaged: it does not match its checksum (stored ${actual.bytes} bytes, sha256 ${actual.sha256.slice(0, 12)}\u2026; expected ${expected.bytes} bytes, ${expected.sha256.slice(0, 12)}\u2026): use another copy of this snapshot or an older one`
    );
  }
}
async function withManifest(store, snapshot, keys, use) {
  const file = await openScratchFile("manifest");
  try {
    const reader = await openDecrypted(store, snapshot, MANIFEST_OBJECT, keys);
    try {
      await pipelinePromise(reader.plaintext, file.write());
    } catch (error) {
      throw await manifestFailure(store, snapshot, error);
    }
    checkStoredChecksum(snapshot, MANIFEST_OBJECT, reader.stored.result());
    await checkManifestFile(file, snapshot);
    const manifest = await parseManifest(linesOf(file.read()));
    return await use(manifest);
  } finally {
    await file.close();
  }
}
async function manifestFailure(store, snapshot, error) {
  if (!(error instanceof KeyError)) {
    try {
      checkStoredChecksum(snapshot, MANIFEST_OBJECT, await storedChecksum(store, `${snapshot.id}/${MANIFEST_OBJECT}`));
    } catch (damage) {
      if (damage instanceof IntegrityError) return damage;
    }
  }
  return describeFailure(snapshot, MANIFEST_OBJECT, error);
}
async function checkManifestFile(file, snapshot) {
  let trailer;
  try {
    const manifest = await parseManifest(linesOf(file.read()));
    for await (const _ of manifest.entries) ;
    trailer = manifest.trailer();
  } catch (error) {
    throw malformed(snapshot, error);
  }
  checkTrailer(trailer, snapshot);
}
function malformed(snapshot, error) {
  return new IntegrityError(
    `snapshot ${snapshot.id}: ${MANIFEST_OBJECT} is malformed (${error instanceof Error ? error.message : String(error)}); use another copy of this snapshot or an older one`,
    { cause: error }
  );
}
function checkTrailer(trailer, snapshot) {
  if (!isDeepStrictEqual(trailer.archive, snapshot.objects[ARCHIVE_OBJECT])) {
    throw new IntegrityError(
      `snapshot ${snapshot.id}: ${MANIFEST_OBJECT} was written for a different archive than the one stored; refusing to use it`
    );
  }
  if (!isDeepStrictEqual(trailer.snapshot, bindingOf(snapshot))) {
    throw new IntegrityError(
      `snapshot ${snapshot.id}: snapshot.json differs from the copy authenticated inside ${MANIFEST_OBJECT} (it was edited); refusing to use it`
    );
  }
}
async function readManifest(store, snapshot, keys, wanted) {
  return readWholeManifest(store, snapshot, keys, async (plaintext) => {
    if (!wanted) return readManifestEntries(plaintext);
    const manifest = await parseManifest(selectedLines(plaintext, wanted));
    const entries = [];
    for await (const entry of manifest.entries) entries.push(entry);
    return { roots: manifest.roots, entries, trailer: manifest.trailer() };
  });
}
async function readManifestLines(store, snapshot, keys) {
  const read = await readWholeManifest(
    store,
    snapshot,
    keys,
    (plaintext) => readManifestEntries(plaintext, { lines: true })
  );
  return { ...read, lines: read.lines };
}
async function readWholeManifest(store, snapshot, keys, parse) {
  const reader = await openDecrypted(store, snapshot, MANIFEST_OBJECT, keys);
  let read;
  try {
    read = await parse(reader.plaintext);
  } catch (error) {
    try {
      await drain(reader.plaintext);
    } catch (failure) {
      throw await manifestFailure(store, snapshot, failure);
    }
    checkStoredChecksum(snapshot, MANIFEST_OBJECT, reader.stored.result());
    throw malformed(snapshot, error);
  } finally {
    reader.plaintext.destroy();
  }
  checkStoredChecksum(snapshot, MANIFEST_OBJECT, reader.stored.result());
  checkTrailer(read.trailer, snapshot);
  return read;
}
var RESTORE_GARBAGE_SLACK = 8 << 20;
function freeingInput(stream) {
  const transform = stream._transform.bind(stream);
  stream._transform = (chunk, encoding, callback) => transform(chunk, encoding, (error, data) => {
    releaseBuffer(chunk);
    callback(error, data);
  });
  return stream;
}
function collectingGarbage() {
  const collect = collectGarbageOverSlack(RESTORE_GARBAGE_SLACK);
  return new Transform3({
    transform(chunk, _encoding, callback) {
      collect();
      callback(null, chunk);
    }
  });
}
async function openIndexed(store, snapshot, keys, trailer) {
  if (!trailer.index) return void 0;
  const key = `${snapshot.id}/${ARCHIVE_OBJECT}`;
  try {
    return await openIndexedArchive(
      (offset, length) => store.get(key, { offset, length }),
      trailer.archive.bytes,
      trailer.index,
      keys,
      trailer.archiveKey
    );
  } catch (error) {
    if (error instanceof KeyError && !(error instanceof SignatureError))
      checkStoredChecksum(snapshot, ARCHIVE_OBJECT, await storedChecksum(store, key));
    throw describeFailure(snapshot, ARCHIVE_OBJECT, error);
  }
}
async function openArchive(store, snapshot, keys, options = {}) {
  const frees = options.consumesInOrder === true;
  const reader = await openDecrypted(store, snapshot, ARCHIVE_OBJECT, keys, { ...options, ownOutput: frees });
  const gunzip = createGunzip2({ chunkSize: 1 << 18 });
  const tar = chain(reader.plaintext, frees ? freeingInput(gunzip) : gunzip, collectingGarbage());
  return {
    // Keep the stream open when the tar reader stops at the end marker, so finish() can drain it.
    // (A chunk gunzip hands out whole is a buffer it has filled and let go of: see releaseBuffer.)
    items: readTar(tar.iterator({ destroyOnReturn: false }), frees ? { release: releaseBuffer } : {}),
    async finish() {
      await drain(tar);
      checkStoredChecksum(snapshot, ARCHIVE_OBJECT, reader.stored.result());
    },
    close() {
      tar.destroy();
    }
  };
}

// src/ops/backup.ts
import { pipeline as pipeline4 } from "node:stream/promises";

// src/archive/pack.ts
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import * as crypto from "node:crypto";
import { createHash as createHash5 } from "node:crypto";
import { availableParallelism } from "node:os";
import { Readable as Readable3 } from "node:stream";
import { promisify as promisify2 } from "node:util";
import * as zlib2 from "node:zlib";

// src/archive/chunker.ts
import { createHash as createHash4 } from "node:crypto";
var BLOCK_SIZES = { min: 64 << 10, average: 256 << 10, max: 1 << 20 };
var GEAR = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) table[i] = createHash4("sha256").update(`ripcord-gear-${i}`).digest().readInt32BE(0);
  return table;
})();
function topBits(bits) {
  return bits >= 32 ? -1 : ~(4294967295 >>> bits) | 0;
}
var Chunker = class {
  #min;
  #average;
  #max;
  /** a cut below the average size needs these bits zero */
  #strictMask;
  /** a cut above it, these */
  #looseMask;
  #hash = 0;
  /** bytes of the current block seen so far */
  #length = 0;
  /** stream offset of the current block's start */
  #start = 0;
  /** the bytes consumed last end a block */
  #atCut = false;
  constructor(sizes = BLOCK_SIZES) {
    const bits = Math.log2(sizes.average);
    if (!Number.isInteger(bits) || sizes.min < 64 || sizes.min > sizes.average || sizes.average > sizes.max)
      throw new RangeError("chunk sizes must be 64 <= min <= average <= max, the average a power of two");
    this.#min = sizes.min;
    this.#average = sizes.average;
    this.#max = sizes.max;
    this.#strictMask = topBits(bits + 2);
    this.#looseMask = topBits(bits - 2);
  }
  /**
   * Feed the next bytes of the stream; returns the stream offsets where blocks ended within
   * them (each offset is the end of one block and the start of the next).
   */
  push(data) {
    const cuts = [];
    let at = 0;
    while (at < data.length) {
      const consumed = this.#length < this.#min ? Math.min(this.#min - this.#length, data.length - at) : this.#scan(data, at);
      at += consumed;
      this.#length += consumed;
      if (!this.#atCut) continue;
      this.#start += this.#length;
      cuts.push(this.#start);
      this.#length = 0;
      this.#hash = 0;
      this.#atCut = false;
    }
    return cuts;
  }
  /** The end of the stream: the offset where the last block ends, or undefined when it is empty. */
  end() {
    if (this.#length === 0) return void 0;
    this.#start += this.#length;
    this.#length = 0;
    this.#hash = 0;
    return this.#start;
  }
  /** Hash from `from` on, up to a cut or the end of `data`; the bytes consumed (#atCut says which). */
  #scan(data, from) {
    let hash2 = this.#hash;
    const strictEnd = Math.min(data.length, from + Math.max(0, this.#average - this.#length));
    const end = Math.min(data.length, from + (this.#max - this.#length));
    const strict = this.#strictMask;
    const loose = this.#looseMask;
    let i = from;
    for (; i < strictEnd; i++) {
      hash2 = (hash2 << 1) + GEAR[data[i]] | 0;
      if ((hash2 & strict) === 0) return this.#cutAfter(i + 1 - from);
    }
    for (; i < end; i++) {
      hash2 = (hash2 << 1) + GEAR[data[i]] | 0;
      if ((hash2 & loose) === 0) return this.#cutAfter(i + 1 - from);
    }
    this.#hash = hash2;
    this.#atCut = this.#length + (i - from) === this.#max;
    return i - from;
  }
  #cutAfter(consumed) {
    this.#atCut = true;
    return consumed;
  }
};
var BLOCKED_FILE_MIN = 8 << 20;
var BlockList = class {
  blocks = [];
  #chunker = new Chunker();
  #hash = createHash4("sha256");
  /** stream offset of the current block's start, and of the end of what was fed */
  #start = 0;
  #fed = 0;
  update(data) {
    let from = 0;
    for (const cut of this.#chunker.push(data)) {
      const to = cut - this.#fed;
      this.#hash.update(data.subarray(from, to));
      this.#close(cut);
      from = to;
    }
    this.#hash.update(data.subarray(from));
    this.#fed += data.length;
  }
  /** Every block, the last one included. */
  finish() {
    const end = this.#chunker.end();
    if (end !== void 0) this.#close(end);
    return this.blocks;
  }
  #close(end) {
    this.blocks.push([end - this.#start, this.#hash.digest("hex")]);
    this.#hash = createHash4("sha256");
    this.#start = end;
  }
};
function validBlocks(blocks, size) {
  if (!Array.isArray(blocks) || size === void 0) return false;
  let total = 0;
  for (const block of blocks) {
    if (!Array.isArray(block) || block.length !== 2) return false;
    const [bytes, sha256] = block;
    if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes <= 0 || bytes > BLOCK_SIZES.max)
      return false;
    if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) return false;
    total += bytes;
  }
  return total === size;
}

// src/archive/tar-writer.ts
var BLOCK3 = 512;
var NAME2 = 0;
var MODE2 = 100;
var UID2 = 108;
var GID2 = 116;
var SIZE2 = 124;
var MTIME2 = 136;
var CHKSUM2 = 148;
var TYPEFLAG2 = 156;
var LINKNAME2 = 157;
var MAGIC2 = 257;
var UNAME2 = 265;
var GNAME2 = 297;
var DEVMAJOR = 329;
var PREFIX3 = 345;
var NAME_LEN = 100;
var PREFIX_LEN = 155;
var UGNAME_LEN = 32;
var MAX_OCTAL_11 = 8589934591;
var MAX_OCTAL_7 = 2097151;
var TYPE_FILE = 48;
var TYPE_SYMLINK = 50;
var TYPE_DIRECTORY = 53;
var TYPE_PAX = 120;
var PAX_HEADER_DIR = "PaxHeaders/";
var ZERO = Buffer.alloc(2 * BLOCK3);
var TEMPLATE = Buffer.alloc(BLOCK3);
TEMPLATE.write("ustar\x0000", MAGIC2, "latin1");
TEMPLATE.write("0000000\x000000000\0", DEVMAJOR, "latin1");
var TEMPLATE_SUM = TEMPLATE.reduce((a, b) => a + b, 0) + 8 * 32;
TEMPLATE[CHKSUM2 + 7] = 32;
var TAR_END = ZERO.subarray(0, 2 * BLOCK3);
function tarPadding(size) {
  const rest = size % BLOCK3;
  return ZERO.subarray(0, rest === 0 ? 0 : BLOCK3 - rest);
}
function encodeTarHeader(header) {
  const { path: path13, type, size, mtime, uid, gid, uname, gname } = header;
  let typeflag;
  if (type === "file") typeflag = TYPE_FILE;
  else if (type === "directory") typeflag = TYPE_DIRECTORY;
  else if (type === "symlink") typeflag = TYPE_SYMLINK;
  else throw new TypeError(`tar: unknown entry type ${String(type)}`);
  if (typeof path13 !== "string" || path13.length === 0) throw new TypeError("tar: empty entry path");
  if (path13.charCodeAt(0) === 47) throw new RangeError(`tar: absolute entry path ${JSON.stringify(path13)}`);
  if (path13.charCodeAt(path13.length - 1) === 47) {
    throw new RangeError(`tar: entry path ends with '/': ${JSON.stringify(path13)}`);
  }
  checkNoNul(path13, "path");
  const mode = header.mode;
  if (!Number.isInteger(mode) || mode < 0) throw new RangeError(`tar: invalid mode ${mode}`);
  checkUint(size, "size");
  if (size !== 0 && typeflag !== TYPE_FILE) throw new RangeError(`tar: a ${type} cannot have content (size ${size})`);
  if (!Number.isSafeInteger(mtime))
    throw new RangeError(`tar: mtime must be an integer number of seconds, got ${mtime}`);
  checkUint(uid, "uid");
  checkUint(gid, "gid");
  let link = "";
  if (typeflag === TYPE_SYMLINK) {
    if (typeof header.linkTarget !== "string")
      throw new TypeError(`tar: symlink ${JSON.stringify(path13)} has no target`);
    link = header.linkTarget;
    checkNoNul(link, "symlink target");
  }
  if (uname !== void 0) checkNoNul(uname, "uname");
  if (gname !== void 0) checkNoNul(gname, "gname");
  const fullPath = typeflag === TYPE_DIRECTORY ? path13 + "/" : path13;
  const pathBytes = Buffer.byteLength(fullPath, "utf8");
  const pathAscii = pathBytes === fullPath.length;
  let split = -1;
  let paxPath = !pathAscii;
  if (pathAscii && pathBytes > NAME_LEN) {
    const i = fullPath.lastIndexOf("/", Math.min(PREFIX_LEN, pathBytes - 2));
    if (i >= pathBytes - NAME_LEN - 1 && i > 0) split = i;
    else paxPath = true;
  }
  let paxLen = 0;
  if (paxPath) paxLen += recordLength(4, pathBytes);
  let linkBytes = 0;
  let paxLink = false;
  if (link.length > 0) {
    linkBytes = Buffer.byteLength(link, "utf8");
    paxLink = linkBytes !== link.length || linkBytes > NAME_LEN;
    if (paxLink) paxLen += recordLength(8, linkBytes);
  }
  let unameBytes = 0;
  let paxUname = false;
  if (uname !== void 0 && uname.length > 0) {
    unameBytes = Buffer.byteLength(uname, "utf8");
    paxUname = unameBytes !== uname.length || unameBytes > UGNAME_LEN;
    if (paxUname) paxLen += recordLength(5, unameBytes);
  }
  let gnameBytes = 0;
  let paxGname = false;
  if (gname !== void 0 && gname.length > 0) {
    gnameBytes = Buffer.byteLength(gname, "utf8");
    paxGname = gnameBytes !== gname.length || gnameBytes > UGNAME_LEN;
    if (paxGname) paxLen += recordLength(5, gnameBytes);
  }
  const paxSize = size > MAX_OCTAL_11;
  if (paxSize) paxLen += recordLength(4, decimalDigits(size));
  const paxUid = uid > MAX_OCTAL_7;
  if (paxUid) paxLen += recordLength(3, decimalDigits(uid));
  const paxGid = gid > MAX_OCTAL_7;
  if (paxGid) paxLen += recordLength(3, decimalDigits(gid));
  const paxMtime = mtime < 0 || mtime > MAX_OCTAL_11;
  if (paxMtime) paxLen += recordLength(5, decimalDigits(mtime));
  const ustarMtime = Math.min(Math.max(mtime, 0), MAX_OCTAL_11);
  const paxBlocks = paxLen === 0 ? 0 : BLOCK3 + Math.ceil(paxLen / BLOCK3) * BLOCK3;
  const out = Buffer.alloc(paxBlocks + BLOCK3);
  if (paxLen > 0) {
    out.set(TEMPLATE);
    out.write(PAX_HEADER_DIR, NAME2, "latin1");
    const base = path13.slice(path13.lastIndexOf("/") + 1);
    out.write(base, NAME2 + PAX_HEADER_DIR.length, NAME_LEN - PAX_HEADER_DIR.length, "utf8");
    putOctal(out, MODE2, 8, 420);
    putOctal(out, UID2, 8, 0);
    putOctal(out, GID2, 8, 0);
    putOctal(out, SIZE2, 12, paxLen);
    putOctal(out, MTIME2, 12, ustarMtime);
    out[TYPEFLAG2] = TYPE_PAX;
    writeChecksum(out, 0);
    let off = BLOCK3;
    if (paxPath) off = writeRecord(out, off, "path", 4, fullPath, pathBytes, true);
    if (paxLink) off = writeRecord(out, off, "linkpath", 8, link, linkBytes, true);
    if (paxUname) off = writeRecord(out, off, "uname", 5, uname, unameBytes, true);
    if (paxGname) off = writeRecord(out, off, "gname", 5, gname, gnameBytes, true);
    if (paxSize) off = writeRecord(out, off, "size", 4, String(size), decimalDigits(size), false);
    if (paxUid) off = writeRecord(out, off, "uid", 3, String(uid), decimalDigits(uid), false);
    if (paxGid) off = writeRecord(out, off, "gid", 3, String(gid), decimalDigits(gid), false);
    if (paxMtime) off = writeRecord(out, off, "mtime", 5, String(mtime), decimalDigits(mtime), false);
    if (off !== BLOCK3 + paxLen) throw new Error(`tar: internal error: pax length ${off - BLOCK3} != ${paxLen}`);
  }
  const h = paxBlocks;
  out.set(TEMPLATE, h);
  let sum = TEMPLATE_SUM;
  if (!pathAscii) {
    sum += putUtf8(out, h + NAME2, fullPath, NAME_LEN);
  } else if (split < 0) {
    sum += putAscii(out, h + NAME2, fullPath, 0, Math.min(pathBytes, NAME_LEN));
  } else {
    sum += putAscii(out, h + NAME2, fullPath, split + 1, pathBytes);
    sum += putAscii(out, h + PREFIX3, fullPath, 0, split);
  }
  sum += putOctal(out, h + MODE2, 8, mode & 4095);
  sum += putOctal(out, h + UID2, 8, paxUid ? 0 : uid);
  sum += putOctal(out, h + GID2, 8, paxGid ? 0 : gid);
  sum += putOctal(out, h + SIZE2, 12, paxSize ? 0 : size);
  sum += putOctal(out, h + MTIME2, 12, ustarMtime);
  out[h + TYPEFLAG2] = typeflag;
  sum += typeflag;
  if (link.length > 0) {
    sum += paxLink ? putUtf8(out, h + LINKNAME2, link, NAME_LEN) : putAscii(out, h + LINKNAME2, link, 0, linkBytes);
  }
  if (unameBytes > 0) {
    sum += paxUname ? putUtf8(out, h + UNAME2, uname, UGNAME_LEN) : putAscii(out, h + UNAME2, uname, 0, unameBytes);
  }
  if (gnameBytes > 0) {
    sum += paxGname ? putUtf8(out, h + GNAME2, gname, UGNAME_LEN) : putAscii(out, h + GNAME2, gname, 0, gnameBytes);
  }
  putOctal(out, h + CHKSUM2, 7, sum);
  return out;
}
function putAscii(out, off, s, start, end) {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    out[off++] = c;
    sum += c;
  }
  return sum;
}
function putUtf8(out, off, s, max) {
  const n = out.write(s, off, max, "utf8");
  let sum = 0;
  for (let i = off; i < off + n; i++) sum += out[i];
  return sum;
}
function putOctal(out, off, width, value) {
  let v = value;
  let sum = 0;
  for (let i = off + width - 2; i >= off; i--) {
    const d = 48 + v % 8;
    out[i] = d;
    sum += d;
    v = Math.floor(v / 8);
  }
  out[off + width - 1] = 0;
  return sum;
}
function checkNoNul(s, what) {
  if (typeof s !== "string") throw new TypeError(`tar: ${what} must be a string`);
  if (s.indexOf("\0") !== -1) throw new RangeError(`tar: NUL character in ${what} ${JSON.stringify(s)}`);
}
function checkUint(n, what) {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`tar: ${what} must be a non-negative integer, got ${n}`);
}
function decimalDigits(n) {
  let d = 1;
  let v = n < 0 ? -n : n;
  while (v >= 10) {
    v = Math.floor(v / 10);
    d++;
  }
  return n < 0 ? d + 1 : d;
}
function recordLength(keyBytes, valueBytes) {
  const base = keyBytes + valueBytes + 3;
  let len = base + decimalDigits(base);
  if (decimalDigits(len) !== len - base) len = base + decimalDigits(len);
  return len;
}
function writeRecord(out, off, key, keyBytes, value, valueBytes, utf8) {
  const len = recordLength(keyBytes, valueBytes);
  off += out.write(String(len), off, "latin1");
  out[off++] = 32;
  off += out.write(key, off, "latin1");
  out[off++] = 61;
  off += utf8 ? out.write(value, off, "utf8") : out.write(value, off, "latin1");
  out[off++] = 10;
  return off;
}
function writeChecksum(out, h) {
  let sum = 8 * 32;
  for (let i = h; i < h + CHKSUM2; i++) sum += out[i];
  for (let i = h + CHKSUM2 + 8; i < h + BLOCK3; i++) sum += out[i];
  putOctal(out, h + CHKSUM2, 7, sum);
  out[h + CHKSUM2 + 7] = 32;
}

// src/archive/pack.ts
var gzip2 = promisify2(zlib2.gzip);
var hashOnce = crypto.hash;
var DEFAULT_COMPRESSION_LEVEL = 2;
function packArchive(entries, options = {}) {
  const batchBytes = options.batchBytes ?? 1 << 20;
  const concurrency = options.concurrency ?? Math.min(availableParallelism() + 1, 5);
  const level = options.level ?? DEFAULT_COMPRESSION_LEVEL;
  const spare = [];
  return Readable3.from(
    compressMembers(tarBatches(entries, batchBytes, spare, options), level, concurrency, spare, options.onMember),
    { objectMode: false }
  );
}
var GARBAGE_SLACK = 8 << 20;
async function* tarBatches(entries, batchBytes, spare, options) {
  const take = () => spare.pop() ?? Buffer.allocUnsafeSlow(batchBytes);
  const collect = collectGarbageOverSlack(GARBAGE_SLACK);
  let batch = take();
  let used = 0;
  let flushed = 0;
  let files = 0;
  let bytes = 0;
  const last = () => {
    flushed += used;
    return batch.subarray(0, used);
  };
  const flush = () => {
    const full = last();
    collect();
    batch = take();
    used = 0;
    return full;
  };
  function* append(data) {
    let offset = 0;
    while (offset < data.length) {
      if (used === batchBytes) yield flush();
      const n = Math.min(data.length - offset, batchBytes - used);
      data.copy(batch, used, offset, offset + n);
      used += n;
      offset += n;
    }
  }
  const sync = Symbol.iterator in entries ? entries[Symbol.iterator]() : void 0;
  const async = sync ? void 0 : entries[Symbol.asyncIterator]();
  for (; ; ) {
    const next = sync ? sync.next() : await async.next();
    if (next.done) break;
    const source = next.value;
    const { stats } = source;
    const mtime = Math.floor(stats.mtimeMs / 1e3);
    const mode = stats.mode & 4095;
    const size = source.type === "file" ? stats.size : 0;
    const at = flushed + used;
    yield* append(
      encodeTarHeader({
        path: source.archivePath,
        type: source.type,
        mode,
        size,
        mtime,
        uid: stats.uid,
        gid: stats.gid,
        ...source.target !== void 0 ? { linkTarget: source.target } : {}
      })
    );
    const entry = { path: source.archivePath, type: source.type, mode: formatMode(mode), mtime, at };
    if (source.type === "file") {
      let hash2;
      let digest;
      const blocks = source.blocks ? new BlockList() : void 0;
      let fd;
      try {
        fd = openSync(source.fsPath, "r");
      } catch (error) {
        throw unreadable(source.fsPath, error);
      }
      try {
        let position = 0;
        let shrank = false;
        while (position < size) {
          if (used === batchBytes) yield flush();
          const want = Math.min(size - position, batchBytes - used);
          let got = shrank ? 0 : readSync(fd, batch, used, want, position);
          if (got === 0) {
            if (!shrank)
              options.onWarning?.(
                `${source.fsPath} shrank while it was being read; the archived copy is padded with zeros`
              );
            shrank = true;
            batch.fill(0, used, used + want);
            got = want;
          }
          const piece = batch.subarray(used, used + got);
          if (position === 0 && got === size && hashOnce) digest = hashOnce("sha256", piece, "hex");
          else (hash2 ??= createHash5("sha256")).update(piece);
          blocks?.update(piece);
          used += got;
          position += got;
          bytes += got;
          if (position < size && used === batchBytes) options.onProgress?.({ files, bytes });
        }
        if (!shrank && fstatSync(fd).mtimeMs !== stats.mtimeMs) {
          options.onWarning?.(
            `${source.fsPath} changed while it was being read; the archived copy may mix old and new content`
          );
        }
      } catch (error) {
        throw error instanceof SourceError ? error : unreadable(source.fsPath, error);
      } finally {
        closeSync(fd);
      }
      entry.size = size;
      entry.sha256 = digest ?? (hash2 ?? createHash5("sha256")).digest("hex");
      if (blocks) entry.blocks = blocks.finish();
      entry.ino = stats.ino;
      entry.ctimeMs = stats.ctimeMs;
      entry.mtimeMs = stats.mtimeMs;
      yield* append(tarPadding(size));
    } else if (source.type === "symlink") {
      entry.target = source.target ?? "";
    }
    if (source.type === "file") files += 1;
    options.onEntry?.(entry);
    if (used >= batchBytes - 512) options.onProgress?.({ files, bytes });
  }
  yield* append(TAR_END);
  options.onProgress?.({ files, bytes });
  if (used > 0) yield last();
}
async function* compressMembers(batches, level, concurrency, spare, onMember) {
  const pending = [];
  const next = async () => {
    const member = await pending.shift();
    onMember?.(member.length);
    return member;
  };
  for await (const batch of batches) {
    const member = gzipMember(batch, level).then((compressed) => {
      spare.push(Buffer.from(batch.buffer));
      return compressed;
    });
    member.catch(() => {
    });
    pending.push(member);
    if (pending.length >= concurrency) yield await next();
  }
  while (pending.length > 0) yield await next();
}
function gzipMember(batch, level) {
  const chosen = level > 0 && looksIncompressible(batch) ? 0 : level;
  const stored = chosen === 0 ? storedMember(batch) : void 0;
  if (stored) return Promise.resolve(stored);
  return gzip2(batch, { level: chosen, chunkSize: MEMBER_CHUNK });
}
var MEMBER_CHUNK = 512 << 10;
var GZIP_HEADER = Buffer.from([31, 139, 8, 0, 0, 0, 0, 0, 0, 3]);
var STORED_BLOCK = 65535;
var crc322 = zlib2.crc32;
function storedMember(data) {
  if (!crc322) return void 0;
  const blocks = Math.max(1, Math.ceil(data.length / STORED_BLOCK));
  const member = Buffer.allocUnsafeSlow(GZIP_HEADER.length + blocks * 5 + data.length + 8);
  let at = GZIP_HEADER.copy(member, 0);
  for (let block = 0; block < blocks; block++) {
    const start = block * STORED_BLOCK;
    const length = Math.min(STORED_BLOCK, data.length - start);
    member[at] = block === blocks - 1 ? 1 : 0;
    member.writeUInt16LE(length, at + 1);
    member.writeUInt16LE(~length & 65535, at + 3);
    at += 5 + data.copy(member, at + 5, start, start + length);
  }
  member.writeUInt32LE(crc322(data) >>> 0, at);
  member.writeUInt32LE(data.length >>> 0, at + 4);
  return member;
}
var SAMPLE = 16 << 10;
var INCOMPRESSIBLE_BITS = 7.95;
function looksIncompressible(batch) {
  if (batch.length < 4 * SAMPLE) return false;
  const counts = new Uint32Array(256);
  for (const start of [0, batch.length - SAMPLE >> 1, batch.length - SAMPLE]) {
    counts.fill(0);
    for (let i = start; i < start + SAMPLE; i += 1) counts[batch[i]] += 1;
    let bits = 0;
    for (const count of counts) if (count > 0) bits -= count / SAMPLE * Math.log2(count / SAMPLE);
    if (bits < INCOMPRESSIBLE_BITS) return false;
  }
  return true;
}
function unreadable(fsPath, error) {
  const code = error.code;
  const reason2 = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOENT" ? "it disappeared" : code ?? String(error);
  return new SourceError(`cannot read ${fsPath}: ${reason2}; fix its permissions or exclude it with --exclude`);
}

// src/archive/seipd-encrypt.ts
import { randomBytes as randomBytes3 } from "node:crypto";
import { Transform as Transform4 } from "node:stream";
import { createDeflateRaw } from "node:zlib";

// src/archive/cfb-encryptor.ts
import { createCipheriv as createCipheriv3, createHash as createHash6 } from "node:crypto";
import { availableParallelism as availableParallelism2 } from "node:os";

// src/archive/cfb-messages.ts
var CFB_SLICE = 64 * 1024;
var CFB_BLOCK = 16;

// src/archive/transfer.ts
var untransferable;
function isMarkedAsUntransferable() {
  untransferable ??= workerThreads().isMarkedAsUntransferable ?? null;
  return untransferable;
}
function transferOf(views) {
  const check = isMarkedAsUntransferable();
  const stuck = check ? views.filter((view) => check(view.buffer)) : [];
  if (stuck.length === 0) return { views: [...views], transferList: memoryOf(views) };
  const copy = Buffer.allocUnsafeSlow(stuck.reduce((sum, view) => sum + view.byteLength, 0));
  let offset = 0;
  const moved = views.map((view) => {
    if (!stuck.includes(view)) return view;
    copy.set(view, offset);
    offset += view.byteLength;
    return copy.subarray(offset - view.byteLength, offset);
  });
  return { views: moved, transferList: memoryOf(moved) };
}
function memoryOf(views) {
  return [...new Set(views.map((view) => view.buffer))];
}

// src/archive/cfb-encryptor.ts
function createCfbEncryptor(sessionKey, events, options) {
  const worthIt = options.parallel && availableParallelism2() > 1;
  return worthIt ? new WorkerEncryptor(sessionKey, events) : new InlineEncryptor(sessionKey, events);
}
var InlineEncryptor = class {
  #events;
  #cipher;
  #mdc = createHash6("sha1");
  constructor(sessionKey, events) {
    this.#events = events;
    this.#cipher = createCipheriv3("aes-256-cfb", sessionKey, Buffer.alloc(CFB_BLOCK));
  }
  write(views, bytes) {
    for (const view of views) {
      for (let offset = 0; offset < view.length; offset += CFB_SLICE) {
        const slice = view.subarray(offset, offset + CFB_SLICE);
        this.#mdc.update(slice);
        this.#events.onCiphertext(this.#cipher.update(slice));
      }
    }
    this.#events.onConsumed(bytes);
  }
  async finish() {
    const header = Buffer.from([211, 20]);
    this.#mdc.update(header);
    this.#events.onCiphertext(this.#cipher.update(header));
    this.#events.onCiphertext(this.#cipher.update(this.#mdc.digest()));
    const last = this.#cipher.final();
    if (last.length > 0) this.#events.onCiphertext(last);
  }
  destroy() {
  }
};
var WorkerEncryptor = class {
  #events;
  #worker;
  /** bytes of each write not yet back, in order */
  #pending = [];
  #failure;
  #finished;
  #destroyed = false;
  constructor(sessionKey, events) {
    this.#events = events;
    const key = new Uint8Array(sessionKey);
    this.#worker = startWorker({
      from: import.meta.url,
      name: "cfb-worker",
      workerData: { key },
      transferList: [key.buffer]
    });
    this.#worker.on("message", (message) => this.#receive(message));
    this.#worker.on("error", (error) => this.#fail(error));
    this.#worker.on("exit", (code) => this.#fail(new Error(`the encryption worker stopped (exit code ${code})`)));
  }
  write(views, bytes) {
    if (this.#failure) throw this.#failure;
    this.#pending.push(bytes);
    const transfer = transferOf(views);
    this.#worker.postMessage({ views: transfer.views }, transfer.transferList);
  }
  finish() {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve8, reject) => {
      this.#finished = { resolve: resolve8, reject };
      this.#worker.postMessage({ finish: true });
    });
  }
  destroy() {
    this.#destroyed = true;
    void this.#worker.terminate();
  }
  #receive(message) {
    if (this.#destroyed) return;
    const ciphertext = message.ciphertext.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    freeOnceWritten(ciphertext);
    for (const c of ciphertext) this.#events.onCiphertext(c);
    if (message.done) {
      this.#destroyed = true;
      void this.#worker.terminate();
      this.#finished?.resolve();
    } else {
      this.#events.onConsumed(this.#pending.shift() ?? 0);
    }
  }
  #fail(error) {
    if (this.#destroyed || this.#failure) return;
    this.#failure = error;
    this.#destroyed = true;
    void this.#worker.terminate();
    this.#finished?.reject(error);
    this.#events.onError(error);
  }
};

// src/archive/seipd-encrypt.ts
var PARTIAL_PART = Buffer.from([224 | PART_LOG2]);
var LITERAL_BYTES_IN_FLIGHT = 4 << 20;
var FLUSH_BYTES = 64 << 10;
var WORKER_AFTER = LITERAL_BYTES_IN_FLIGHT;
var STAGING = 1 << 20;
var EncryptStream = class extends Transform4 {
  #keys;
  #parallel;
  #workerAfter;
  #ownsChunks;
  /** the packet the input is the body of, and the bytes its body starts with */
  #packet;
  #started;
  #encryptor;
  /** the session key until the encryptor has it, and what was sent before it existed */
  #sessionKey;
  #unsent = [];
  /**
   * Literal body not yet handed to the encryptor, as views. The last one is held back while
   * no copy is open: the final part needs a fixed length, so something must be left for it.
   */
  #queue = [];
  #queued = 0;
  /** the open copy buffer for chunks the writer keeps (ownsChunks false) */
  #staging;
  #stagingUsed = 0;
  /** literal bytes with the encryptor, and a wait for that to drop */
  #inFlight = 0;
  #wanted;
  /** ciphertext of the SEIPD part being collected, held (not copied) until its length is known */
  #pieces = [];
  #piecesBytes = 0;
  #failed;
  /** bytes given to the encryptor: of the SEIPD plaintext, and of those the literal body */
  #plainSent = 0;
  #literalSent = 0;
  #onLayout;
  #onSessionKey;
  constructor(keys, options) {
    super();
    this.#keys = keys;
    this.#parallel = options.parallel ?? false;
    this.#workerAfter = Math.min(options.workerAfter ?? WORKER_AFTER, LITERAL_BYTES_IN_FLIGHT);
    this.#ownsChunks = options.ownsChunks ?? false;
    this.#packet = options.packet ?? { tag: TAG.literal, header: LITERAL_HEADER };
    this.#onLayout = options.onLayout;
    this.#onSessionKey = options.onSessionKey;
  }
  async #start() {
    const sessionKey = randomBytes3(32);
    this.#onSessionKey?.(Buffer.from(sessionKey));
    const esk = await createSessionKeyPackets(sessionKey, this.#keys);
    this.#sessionKey = sessionKey;
    if (!this.#parallel) this.#startEncryptor(false);
    this.push(Buffer.from(esk.buffer, esk.byteOffset, esk.byteLength));
    this.#onLayout?.head(esk.byteLength);
    this.push(Buffer.from([192 | TAG.seipd]));
    this.#pieces = [Buffer.from([1])];
    this.#piecesBytes = 1;
    const opening = randomBytes3(PREFIX + 1);
    opening[BLOCK] = opening[BLOCK - 2];
    opening[BLOCK + 1] = opening[BLOCK - 1];
    opening[PREFIX] = 192 | this.#packet.tag;
    this.#send([opening], 0, false);
    const header = Buffer.allocUnsafeSlow(this.#packet.header.length);
    this.#packet.header.copy(header);
    this.#enqueue(header);
  }
  #startEncryptor(parallel) {
    const sessionKey = this.#sessionKey;
    this.#sessionKey = void 0;
    const encryptor = createCfbEncryptor(
      sessionKey,
      {
        onCiphertext: (ciphertext) => this.#emit(ciphertext),
        onConsumed: (bytes) => {
          this.#inFlight -= bytes;
          const wanted = this.#wanted;
          this.#wanted = void 0;
          wanted?.();
        },
        onError: (error) => {
          this.#failed = error;
          this.#wanted?.();
          this.destroy(error);
        }
      },
      { parallel }
    );
    sessionKey.fill(0);
    this.#encryptor = encryptor;
    for (const { views, literalBytes: literalBytes2 } of this.#unsent.splice(0)) encryptor.write(views, literalBytes2);
    return encryptor;
  }
  #enqueue(view) {
    if (view.length === 0) return;
    this.#queue.push(view);
    this.#queued += view.length;
  }
  /** Hand views to the encryptor, which owns them (and their memory) from here on. */
  #send(views, literalBytes2, framed = true) {
    if (framed) this.#onLayout?.part(this.#literalSent, this.#plainSent);
    for (const view of views) this.#plainSent += view.length;
    this.#literalSent += literalBytes2;
    this.#inFlight += literalBytes2;
    if (this.#encryptor) {
      this.#encryptor.write(views, literalBytes2);
      return;
    }
    this.#unsent.push({ views, literalBytes: literalBytes2 });
    if (this.#literalSent >= this.#workerAfter) this.#startEncryptor(true);
  }
  /** Ciphertext into SEIPD parts; a full part goes out only once more follows it, as the last part needs a fixed length. */
  #emit(data) {
    let offset = 0;
    while (offset < data.length) {
      if (this.#piecesBytes === PART2) {
        this.push(PARTIAL_PART);
        for (const piece of this.#pieces) this.push(piece);
        this.#pieces = [];
        this.#piecesBytes = 0;
      }
      const n = Math.min(data.length - offset, PART2 - this.#piecesBytes);
      this.#pieces.push(offset === 0 && n === data.length ? data : data.subarray(offset, offset + n));
      this.#piecesBytes += n;
      offset += n;
    }
  }
  async #append(chunk) {
    if (this.#ownsChunks) {
      this.#enqueue(chunk);
    } else {
      for (let offset = 0; offset < chunk.length; ) {
        if (!this.#staging) {
          this.#staging = Buffer.allocUnsafeSlow(STAGING);
          this.#stagingUsed = 0;
        }
        const n = chunk.copy(this.#staging, this.#stagingUsed, offset);
        this.#stagingUsed += n;
        offset += n;
        if (this.#stagingUsed === STAGING) this.#closeStaging();
      }
    }
    const held = this.#staging ? 0 : this.#queue.at(-1)?.length ?? 0;
    const ready = this.#queued - held;
    if (ready < FLUSH_BYTES) return;
    const views = held > 0 ? this.#queue.slice(0, -1) : this.#queue;
    this.#queue = held > 0 ? this.#queue.slice(-1) : [];
    this.#queued = held;
    while (this.#inFlight >= LITERAL_BYTES_IN_FLIGHT) {
      if (this.#failed) throw this.#failed;
      await new Promise((resolve8) => this.#wanted = resolve8);
    }
    if (this.#failed) throw this.#failed;
    this.#send(framePartial(views, ready), ready);
  }
  #closeStaging() {
    if (this.#staging) this.#enqueue(this.#staging.subarray(0, this.#stagingUsed));
    this.#staging = void 0;
  }
  async #end() {
    this.#encryptor ??= this.#startEncryptor(false);
    this.#closeStaging();
    const length = encodeLength(this.#queued);
    this.#send([Buffer.from(new Uint8Array(length).buffer), ...this.#queue], this.#queued);
    this.#queue = [];
    await this.#encryptor.finish();
    this.push(encodeLength(this.#piecesBytes));
    for (const piece of this.#pieces) this.push(piece);
    this.#pieces = [];
  }
  _transform(chunk, _encoding, callback) {
    this.#started ??= this.#start();
    this.#started.then(() => this.#append(chunk)).then(() => callback(), callback);
  }
  _flush(callback) {
    this.#started ??= this.#start();
    this.#started.then(() => this.#end()).then(() => callback(), callback);
  }
  _destroy(error, callback) {
    this.#encryptor?.destroy();
    this.#sessionKey?.fill(0);
    callback(error);
  }
};
function framePartial(views, total) {
  let parts = 0;
  for (let n = total; n > 0; n = Math.floor(n / 2)) parts += n % 2;
  const octets = Buffer.allocUnsafeSlow(parts);
  const framed = [];
  let view = 0;
  let offset = 0;
  let part = 0;
  for (let bit = Math.floor(Math.log2(total)); bit >= 0; bit--) {
    let want = 2 ** bit;
    if ((Math.floor(total / want) & 1) === 0) continue;
    octets[part] = 224 | bit;
    framed.push(octets.subarray(part, part + 1));
    part += 1;
    while (want > 0) {
      const current = views[view];
      const n = Math.min(want, current.length - offset);
      framed.push(offset === 0 && n === current.length ? current : current.subarray(offset, offset + n));
      want -= n;
      offset += n;
      if (offset === current.length) {
        view += 1;
        offset = 0;
      }
    }
  }
  return framed;
}
var ZIP = 1;
var LITERAL_PART_LOG2 = 16;
var LiteralPacketStream = class extends Transform4 {
  #part = Buffer.allocUnsafe(1 << LITERAL_PART_LOG2);
  #used = 0;
  #opened = false;
  #open() {
    if (this.#opened) return;
    this.#opened = true;
    this.push(Buffer.from([192 | TAG.literal]));
    this.#used = LITERAL_HEADER.copy(this.#part);
  }
  _transform(chunk, _encoding, callback) {
    this.#open();
    for (let offset = 0; offset < chunk.length; ) {
      if (this.#used === this.#part.length) {
        this.push(Buffer.from([224 | LITERAL_PART_LOG2]));
        this.push(this.#part);
        this.#part = Buffer.allocUnsafe(1 << LITERAL_PART_LOG2);
        this.#used = 0;
      }
      const n = chunk.copy(this.#part, this.#used, offset);
      this.#used += n;
      offset += n;
    }
    callback();
  }
  _flush(callback) {
    this.#open();
    this.push(encodeLength(this.#used));
    this.push(this.#part.subarray(0, this.#used));
    callback();
  }
};
function createEncryptStream(keys, options = {}) {
  return new EncryptStream(keys, options);
}
function createCompressedEncryptStreams(keys) {
  return [
    new LiteralPacketStream(),
    createDeflateRaw({ level: 2, chunkSize: 1 << 18 }),
    new EncryptStream(keys, { packet: { tag: TAG.compressed, header: Buffer.from([ZIP]) } })
  ];
}

// src/archive/walk-sources.ts
var import_picomatch = __toESM(require_picomatch2(), 1);
import * as fs4 from "node:fs/promises";
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import * as path3 from "node:path";
async function resolveRoots(paths, cwd, options = {}) {
  const roots = [];
  for (const given of paths) {
    const fsPath = path3.resolve(cwd, given);
    let archivePath;
    if (path3.isAbsolute(given)) {
      archivePath = fsPath.replace(/^\/+/, "");
    } else {
      const relative3 = path3.relative(cwd, fsPath);
      if (relative3 === ".." || relative3.startsWith(`..${path3.sep}`)) {
        throw new SourceError(
          `${given} is outside the working directory ${cwd}: give an absolute path or change directory with -C`
        );
      }
      archivePath = relative3;
    }
    let missing = false;
    try {
      await fs4.lstat(fsPath);
    } catch (error) {
      const code = error.code;
      missing = code === "ENOENT" || code === "ENOTDIR";
      if (!missing || !options.allowMissing)
        throw new SourceError(
          code === "ENOENT" ? `${given}: no such file or directory (in ${cwd})` : `${given}: cannot read it (${code ?? String(error)})`
        );
    }
    roots.push({ fsPath, archivePath: archivePath.split(path3.sep).join("/"), ...missing ? { missing } : {} });
  }
  roots.sort((a, b) => a.archivePath < b.archivePath ? -1 : 1);
  const kept = /* @__PURE__ */ new Set();
  return roots.filter((root) => {
    const parts = root.archivePath.split("/");
    const covered = kept.has("") || parts.some((_, i) => kept.has(parts.slice(0, i + 1).join("/")));
    if (!covered) kept.add(root.archivePath);
    return !covered;
  });
}
function createExcludeMatcher(patterns) {
  if (patterns.length === 0) return () => false;
  const full = patterns.map((p) => (0, import_picomatch.default)(p.replace(/^\.?\/+|\/+$/g, ""), { dot: true }));
  const names = patterns.filter((p) => !p.includes("/")).map((p) => (0, import_picomatch.default)(p, { dot: true }));
  return (archivePath) => {
    if (full.some((match) => match(archivePath))) return true;
    const base = archivePath.slice(archivePath.lastIndexOf("/") + 1);
    return names.some((match) => match(base));
  };
}
function* walkSources(roots, options) {
  const excluded = createExcludeMatcher(options.exclude ?? []);
  const skip = new Set((options.skip ?? []).map((p) => path3.resolve(p)));
  const warn = options.onWarning ?? (() => {
  });
  const pending = [];
  for (let r = roots.length - 1; r >= 0; r--) {
    const root = roots[r];
    if (!root.missing) pending.push([root.fsPath, root.archivePath, true]);
  }
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [fsPath, archivePath, isRoot] = next;
    if (skip.has(fsPath)) continue;
    if (!isRoot && excluded(archivePath)) continue;
    const entry = sourceAt(fsPath, archivePath, warn, isRoot);
    if (entry?.type !== "directory") {
      if (entry) yield entry;
      continue;
    }
    if (archivePath !== "") yield entry;
    let raw;
    try {
      raw = readdirSync(fsPath, { encoding: "buffer" });
    } catch (error) {
      throw unreadable2(fsPath, error);
    }
    raw.sort(Buffer.compare);
    const folder = fsPath.endsWith("/") ? fsPath : `${fsPath}/`;
    const prefix = archivePath === "" ? "" : `${archivePath}/`;
    for (let i = raw.length - 1; i >= 0; i--) {
      const name = nameOf(raw[i], folder);
      pending.push([folder + name, prefix + name, false]);
    }
  }
}
function sourceAt(fsPath, archivePath, warn, isRoot = false) {
  let stats;
  try {
    stats = lstatSync(fsPath);
  } catch (error) {
    if (error.code === "ENOENT" && !isRoot) {
      warn(`${fsPath} disappeared while it was being backed up; skipped`);
      return void 0;
    }
    throw unreadable2(fsPath, error);
  }
  if (stats.isDirectory()) return { fsPath, archivePath, type: "directory", stats };
  if (stats.isFile()) return { fsPath, archivePath, type: "file", stats };
  if (stats.isSymbolicLink()) return { fsPath, archivePath, type: "symlink", stats, target: readlinkSync(fsPath) };
  const what = stats.isFIFO() ? "a FIFO" : stats.isSocket() ? "a socket" : "a device";
  warn(`${fsPath} is ${what}; skipped (only files, directories and symlinks are backed up)`);
  return void 0;
}
function nameOf(raw, folder) {
  const text2 = raw.toString("utf8");
  if (text2.includes("\uFFFD") && !Buffer.from(text2, "utf8").equals(raw)) {
    throw new SourceError(
      `${folder}${text2}: the file name is not valid UTF-8 and cannot be backed up faithfully; rename it or exclude its folder`
    );
  }
  return text2;
}
function unreadable2(fsPath, error) {
  const code = error.code;
  const reason2 = code === "EACCES" || code === "EPERM" ? "permission denied" : code ?? String(error);
  return new SourceError(`cannot read ${fsPath}: ${reason2}; fix its permissions or exclude it with --exclude`);
}
async function measureSources(roots, options) {
  let files = 0;
  let bytes = 0;
  for (const entry of walkSources(roots, { ...options, onWarning: () => {
  } })) {
    if (entry.type !== "file") continue;
    files += 1;
    bytes += entry.stats.size;
  }
  return { files, bytes };
}

// src/archive/walk-thread.ts
import { availableParallelism as availableParallelism3 } from "node:os";

// src/archive/walk-messages.ts
var WALK_AHEAD = 32 * 1024;
var WALK_FIELDS = 6;
var WALK_TYPES = ["file", "directory", "symlink"];

// src/archive/walk-thread.ts
function startThreadWalk(roots, options, extra = {}) {
  if (availableParallelism3() < 2) return void 0;
  const { onWarning, ...walkOptions } = options;
  const job = {
    roots: [...roots],
    options: walkOptions,
    ahead: extra.ahead ?? WALK_AHEAD,
    ...extra.s2k ? { s2k: extra.s2k } : {}
  };
  const ready = takePrestarted();
  const shared = ready?.shared ?? new SharedArrayBuffer(8);
  const worker = ready?.worker ?? walkWorker({ shared, job });
  const state = new Int32Array(shared);
  const queue = [];
  let wake;
  const push = (message) => {
    queue.push(message);
    wake?.();
    wake = void 0;
  };
  let finished = false;
  worker.on("message", (message) => {
    if ("derived" in message) rememberReserved(extra.s2k, message.derived);
    else push(message);
  });
  worker.on("error", (error) => push({ failed: error }));
  const exited = new Promise(
    (resolve8) => worker.on("exit", () => {
      if (!finished) push({ failed: new Error("the walk of the sources stopped before its end") });
      resolve8();
    })
  );
  const stop = () => {
    finished = true;
    Atomics.store(state, 1, 1);
    Atomics.notify(state, 0);
    void worker.terminate();
  };
  if (ready) {
    worker.ref();
    worker.postMessage({ job });
  }
  async function* batches() {
    try {
      for (; ; ) {
        if (queue.length === 0) await new Promise((resolve8) => wake = resolve8);
        const message = queue.shift();
        if ("failed" in message) throw message.failed;
        if ("error" in message) throw message.source ? new SourceError(message.error) : new Error(message.error);
        if ("warning" in message) {
          onWarning?.(message.warning);
          continue;
        }
        if ("done" in message) {
          finished = true;
          return;
        }
        yield decode(message);
        Atomics.add(state, 0, message.count);
        Atomics.notify(state, 0);
      }
    } finally {
      if (!finished) stop();
    }
  }
  const waiting = () => queue.reduce((sum, message) => sum + ("count" in message ? message.count : 0), 0);
  return { batches, stop, waiting, exited };
}
function decode(batch) {
  const { count, numbers } = batch;
  const paths = batch.paths.split("\0");
  const entries = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * WALK_FIELDS;
    entries[i] = {
      archivePath: paths[2 * i],
      fsPath: paths[2 * i + 1],
      type: WALK_TYPES[numbers[at]],
      seen: {
        size: numbers[at + 1],
        mode: numbers[at + 2],
        mtimeMs: numbers[at + 3],
        ctimeMs: numbers[at + 4],
        ino: numbers[at + 5]
      }
    };
  }
  return entries;
}

// src/domain/events.ts
var silentReporter = { emit() {
} };

// src/ops/incremental.ts
import { createHash as createHash8 } from "node:crypto";
import { closeSync as closeSync3, lstatSync as lstatSync3, openSync as openSync3, readSync as readSync3, rmSync, writeFileSync as writeFileSync2 } from "node:fs";
import * as path5 from "node:path";

// src/domain/chain.ts
var LEVELS = ["full", "incremental", "differential"];
var BACKUP_LEVELS = [...LEVELS, "auto"];
function isBackupLevel(value) {
  return BACKUP_LEVELS.includes(value);
}
var MAX_CHAIN = 1e3;
var CHAIN_DIR = ".ripcord-chain";
function levelOf(link) {
  return link.level ?? "full";
}
function chainOf(id, byId) {
  const links = [];
  const seen = /* @__PURE__ */ new Set();
  let current = byId.get(id);
  if (!current) return { problem: { kind: "missing", id, neededBy: id } };
  for (; ; ) {
    const malformed2 = shapeProblem(current);
    if (malformed2) return { problem: { kind: "malformed", id: current.id, reason: malformed2 } };
    if (seen.has(current.id) || links.length === MAX_CHAIN)
      return { problem: { kind: "malformed", id, reason: `its chain loops or is longer than ${MAX_CHAIN} links` } };
    seen.add(current.id);
    links.push(current);
    if (levelOf(current) === "full") break;
    const child = current;
    const parent = byId.get(child.parent);
    if (!parent) return { problem: { kind: "missing", id: child.parent, neededBy: child.id } };
    if (parent.manifestSha256 !== child.parentManifestSha256 || !sameBase(parent, child))
      return { problem: { kind: "foreign", id: parent.id, neededBy: child.id } };
    current = parent;
  }
  return { links: links.reverse() };
}
function shapeProblem(link) {
  const level = levelOf(link);
  if (!LEVELS.includes(level))
    return `level ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`;
  if (level === "full")
    return link.parent !== void 0 || link.base !== void 0 ? "a full snapshot names a parent" : void 0;
  if (!link.parent || !link.base || !link.parentManifestSha256)
    return `an ${level} snapshot must name its parent and base`;
  if (link.parent === link.id) return "it names itself as its parent";
  if (level === "differential" && link.parent !== link.base) return "a differential snapshot builds on its base alone";
  return void 0;
}
function sameBase(parent, child) {
  return levelOf(parent) === "full" ? parent.id === child.base : parent.base === child.base;
}
function keepChains(keep, byId) {
  const neededBy = /* @__PURE__ */ new Map();
  for (const id of keep) {
    let link = byId.get(id);
    for (let depth = 0; link && levelOf(link) !== "full" && link.parent && depth < MAX_CHAIN; depth++) {
      const parent = link.parent;
      if (keep.has(parent) || neededBy.has(parent)) break;
      neededBy.set(parent, id);
      link = byId.get(parent);
    }
  }
  return neededBy;
}

// src/ops/block-delta.ts
import { createHash as createHash7 } from "node:crypto";
import { closeSync as closeSync2, fstatSync as fstatSync2, lstatSync as lstatSync2, openSync as openSync2, readSync as readSync2, utimesSync, writeFileSync, writeSync } from "node:fs";
import * as path4 from "node:path";
function deltaRecords(file) {
  return { plan: `${CHAIN_DIR}/delta/${file}`, data: `${CHAIN_DIR}/data/${file}` };
}
function isDeltaRecord(name) {
  return name.startsWith(`${CHAIN_DIR}/delta/`) || name.startsWith(`${CHAIN_DIR}/data/`);
}
function unmatchedRecord(wanted, held) {
  for (const record of held) if (!wanted.has(record)) return record;
  for (const record of wanted) if (!held.has(record)) return record;
  return void 0;
}
var DELTA_SHARE = 0.5;
var READ = 1 << 20;
var blockKey = ([size, sha256]) => `${size}:${sha256}`;
function planText(segments) {
  return segments.map((s) => `${s.from} ${s.offset} ${s.length}
`).join("");
}
function segmentsFor(blocks, before) {
  const old = /* @__PURE__ */ new Map();
  let offset = 0;
  for (const block of before) {
    if (!old.has(blockKey(block))) old.set(blockKey(block), offset);
    offset += block[0];
  }
  const segments = [];
  let data = 0;
  for (const block of blocks) {
    const size = block[0];
    const at = old.get(blockKey(block));
    const from = at === void 0 ? "new" : "old";
    const start = at ?? data;
    if (from === "new") data += size;
    const last = segments[segments.length - 1];
    if (last && last.from === from && last.offset + last.length === start) last.length += size;
    else segments.push({ from, offset: start, length: size });
  }
  return segments;
}
function planDelta(source, before, dir, name) {
  const { stats } = source;
  const fd = openSync2(source.fsPath, "r");
  try {
    const list = new BlockList();
    const whole = createHash7("sha256");
    const buffer = Buffer.allocUnsafe(READ);
    let size = 0;
    for (let got = readSync2(fd, buffer, 0, READ, 0); got > 0; got = readSync2(fd, buffer, 0, READ, size)) {
      const piece = buffer.subarray(0, got);
      list.update(piece);
      whole.update(piece);
      size += got;
    }
    if (size !== stats.size) return void 0;
    const blocks = list.finish();
    const segments = segmentsFor(blocks, before);
    const newBytes = segments.reduce((sum, s) => sum + (s.from === "new" ? s.length : 0), 0);
    if (newBytes > DELTA_SHARE * size) return void 0;
    const dataFile = path4.join(dir, `${name}.data`);
    const out = openSync2(dataFile, "wx", 384);
    try {
      const known = new Set(before.map(blockKey));
      let at = 0;
      for (const block of blocks) {
        const [length, sha256] = block;
        if (!known.has(blockKey(block))) {
          const bytes = buffer.subarray(0, length);
          if (readSync2(fd, bytes, 0, length, at) !== length) return void 0;
          if (createHash7("sha256").update(bytes).digest("hex") !== sha256) return void 0;
          writeSync(out, bytes);
        }
        at += length;
      }
    } finally {
      closeSync2(out);
    }
    const now = fstatSync2(fd);
    if (now.size !== stats.size || now.mtimeMs !== stats.mtimeMs) return void 0;
    const planFile = path4.join(dir, `${name}.plan`);
    writeFileSync(planFile, planText(segments), { mode: 384 });
    utimesSync(dataFile, stats.atime, stats.mtime);
    const records = deltaRecords(source.archivePath);
    return {
      entry: {
        path: source.archivePath,
        type: "file",
        mode: formatMode(stats.mode),
        mtime: Math.floor(stats.mtimeMs / 1e3),
        size,
        sha256: whole.digest("hex"),
        blocks,
        delta: true
      },
      records: [
        { fsPath: planFile, archivePath: records.plan, type: "file", stats: lstatSync2(planFile) },
        { fsPath: dataFile, archivePath: records.data, type: "file", stats: withMode(lstatSync2(dataFile), stats.mode) }
      ]
    };
  } finally {
    closeSync2(fd);
  }
}
function withMode(stats, mode) {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(stats)), stats);
  copy.mode = stats.mode & ~4095 | mode & 4095;
  return copy;
}

// src/ops/parent-tree.ts
var TYPE_CODE = { file: 1, directory: 2, symlink: 3 };
var ParentTree = class _ParentTree {
  #entries;
  #lines;
  /** the type the walk saw at each entry's path (TYPE_CODE), 0 where it saw nothing */
  #seen;
  #byPath;
  #next = 0;
  /**
   * The tree of these entries, or the first path they list twice: a manifest that does
   * cannot be restored, nor could a link that builds on it. `lines`: each entry's manifest
   * line, as the manifest has it (with its leading ","), when known.
   */
  static of(entries, lines) {
    if (lines && lines.length !== entries.length) throw new Error("a parent tree needs a line for each entry");
    const byPath = /* @__PURE__ */ new Map();
    for (let at = 0; at < entries.length; at++) {
      const { path: path13 } = entries[at];
      if (byPath.has(path13)) return { twice: path13 };
      byPath.set(path13, at);
    }
    return new _ParentTree(entries, lines, byPath);
  }
  constructor(entries, lines, byPath) {
    this.#entries = entries;
    this.#lines = lines;
    this.#byPath = byPath;
    this.#seen = new Uint8Array(entries.length);
  }
  /** The position of the entry for `path`, or -1 when the parent has none. */
  find(path13) {
    const next = this.#next;
    if (next < this.#entries.length && this.#entries[next].path === path13) {
      this.#next = next + 1;
      return next;
    }
    const at = this.#byPath.get(path13) ?? -1;
    if (at !== -1) this.#next = at + 1;
    return at;
  }
  entry(at) {
    return this.#entries[at];
  }
  /** The entry's manifest line, without the "," that separates it from the line before; undefined when not known. */
  line(at) {
    const line = this.#lines?.[at];
    return line?.startsWith(",") ? line.slice(1) : line;
  }
  /**
   * Let the lines go (line() gives undefined from here on): the manifest's text, 6 MB for the
   * benchmark's 20,000 entries, which a link that stores files needs the room of. With every
   * line kept to the end, the benchmark's 1 %-changed incremental peaked at a median of 121
   * MiB against 113 before lines were kept (8 alternating rounds each, Node 24); dropped
   * before its first stored file, 116.
   */
  dropLines() {
    this.#lines = void 0;
  }
  /** The walk saw an entry of `type` at the path of the entry at `at` (undefined: nothing, after all). */
  saw(at, type) {
    this.#seen[at] = type ? TYPE_CODE[type] : 0;
  }
  /** Every entry, in manifest order. */
  *entries() {
    yield* this.#entries;
  }
  /**
   * The paths of the entries the walk did not see with the type they had (gone, or changed
   * type), in manifest order; less those under a folder that is itself in the list, which
   * removing the folder takes with it.
   */
  removed() {
    const removed = [];
    for (let at = 0; at < this.#entries.length; at++) {
      if (this.#changed(at) && !this.#removedAncestor(this.#entries[at].path)) removed.push(this.#entries[at].path);
    }
    return removed;
  }
  #changed(at) {
    return this.#seen[at] !== TYPE_CODE[this.#entries[at].type];
  }
  /** Does an ancestor of `path` leave the tree or change type (and so come off whole)? */
  #removedAncestor(path13) {
    for (let slash = path13.indexOf("/"); slash > 0; slash = path13.indexOf("/", slash + 1)) {
      const at = this.#byPath.get(path13.slice(0, slash));
      if (at !== void 0 && this.#changed(at)) return true;
    }
    return false;
  }
};
function carriedEntry(archivePath, before, stats, level, parentId) {
  const entry = {
    path: archivePath,
    type: "file",
    mode: before.mode,
    mtime: before.mtime,
    size: before.size,
    sha256: before.sha256,
    ino: stats.ino,
    ctimeMs: stats.ctimeMs,
    mtimeMs: stats.mtimeMs,
    // a differential's parent is its base, a full snapshot: its files are all its own
    in: level === "differential" ? parentId : before.in ?? parentId
  };
  if (before.blocks) entry.blocks = before.blocks;
  return entry;
}
function carriedLine(line, before, entry) {
  if (line === void 0 || entry.in === void 0 || before.delta !== void 0 || !line.endsWith("}"))
    return void 0;
  if (before.in !== void 0) return before.in === entry.in && before.at === void 0 ? line : void 0;
  const first = line.indexOf('"at":');
  if (before.at === void 0) return first === -1 ? `${line.slice(0, -1)}${inField(entry.in)}` : void 0;
  const at = `,"at":${before.at}`;
  const next = line[first - 1 + at.length];
  if (first < 1 || !line.startsWith(at, first - 1) || next !== "," && next !== "}") return void 0;
  if (line.indexOf('"at":', first + 1) !== -1) return void 0;
  return `${line.slice(0, first - 1)}${line.slice(first - 1 + at.length, -1)}${inField(entry.in)}`;
}
function inField(id) {
  if (id !== lastIn.id) lastIn = { id, field: `,"in":${JSON.stringify(id)}}` };
  return lastIn.field;
}
var lastIn = { id: "", field: ',"in":""}' };

// src/ops/incremental.ts
var REMOVED_RECORD = `${CHAIN_DIR}/removed`;
function isChainRecord(name) {
  return name === CHAIN_DIR || name.startsWith(`${CHAIN_DIR}/`);
}
function isChainRecordOf(snapshot, name) {
  return snapshot.level !== void 0 && isChainRecord(name);
}
function linkOf(snapshot) {
  return {
    id: snapshot.id,
    ...snapshot.level ? { level: snapshot.level } : {},
    ...snapshot.parent ? { parent: snapshot.parent } : {},
    ...snapshot.parentManifestSha256 ? { parentManifestSha256: snapshot.parentManifestSha256 } : {},
    ...snapshot.base ? { base: snapshot.base } : {},
    manifestSha256: snapshot.objects[MANIFEST_OBJECT].sha256
  };
}
function setTags(snapshot) {
  return snapshot.tags.filter((t) => t.startsWith("set:")).sort().join(",");
}
async function chainOfSnapshot(store, snapshot, known = /* @__PURE__ */ new Map()) {
  const byId = /* @__PURE__ */ new Map([[snapshot.id, snapshot]]);
  const links = /* @__PURE__ */ new Map([[snapshot.id, linkOf(snapshot)]]);
  let current = snapshot;
  while (current.level && current.parent && !byId.has(current.parent) && byId.size <= MAX_CHAIN) {
    const have = known.get(current.parent);
    const read = have ? { metadata: have } : await readMetadata(store, current.parent);
    if (!("metadata" in read)) {
      throw new IntegrityError(
        `snapshot ${snapshot.id} needs ${current.parent}, which ${read.problem === "snapshot.json is missing" ? "is missing" : `is damaged (${read.problem})`}: ${snapshot.id} cannot be restored; restore an older full snapshot, or copy the missing link back`
      );
    }
    byId.set(read.metadata.id, read.metadata);
    links.set(read.metadata.id, linkOf(read.metadata));
    current = read.metadata;
  }
  const chain2 = chainOf(snapshot.id, links);
  if ("problem" in chain2) throw new IntegrityError(describeChainProblem(snapshot.id, chain2.problem));
  return chain2.links.map((link) => byId.get(link.id));
}
function describeChainProblem(id, problem) {
  switch (problem.kind) {
    case "missing":
      return `snapshot ${id} needs ${problem.id}, which is missing: ${id} cannot be restored`;
    case "foreign":
      return `snapshot ${id}: ${problem.id} is not the parent ${problem.neededBy} was made on (its manifest differs); refusing to use the chain`;
    case "malformed":
      return `snapshot ${id}: the chain link ${problem.id} is malformed (${problem.reason})`;
  }
}
var DEFAULT_AUTO_POLICY = { fullEveryMs: 7 * 24 * 3600 * 1e3, maxChain: 28 };
function autoWantsFull(parent, policy, now) {
  const age = now.getTime() - Date.parse(parent.baseCreated);
  if (age >= policy.fullEveryMs) return `the chain's full snapshot ${parent.base} is older than its full-every`;
  if (parent.depth + 1 > policy.maxChain)
    return `the chain of ${parent.base} has its max-chain of ${policy.maxChain} links`;
  return void 0;
}
var PARENT_CANDIDATES = 5;
async function findParent(store, snapshots, query) {
  const set = setTags({ tags: [...query.tags] });
  const candidates = snapshots.filter(
    (s) => s.kind !== "pre-restore" && setTags(s) === set && s.encryption.mode === query.mode && (query.level === "incremental" || !s.level)
  );
  const wanted = JSON.stringify(query.roots);
  const links = new Map(snapshots.map((s) => [s.id, linkOf(s)]));
  for (const candidate of candidates.slice(0, PARENT_CANDIDATES)) {
    let manifest;
    try {
      manifest = await readManifestLines(store, candidate, query.keys);
    } catch (error) {
      if (error instanceof KeyError) continue;
      if (error instanceof IntegrityError) return { reason: `${candidate.id} cannot be read (${error.message})` };
      throw error;
    }
    if (JSON.stringify(manifest.roots) !== wanted) continue;
    const entries = [];
    const lines = [];
    manifest.entries.forEach((entry, at) => {
      if (isChainRecordOf(candidate, entry.path)) return;
      entries.push(entry);
      lines.push(manifest.lines[at]);
    });
    const tree = ParentTree.of(entries, lines);
    if (!(tree instanceof ParentTree))
      return { reason: `${candidate.id} cannot be read (its manifest lists ${JSON.stringify(tree.twice)} twice)` };
    const chain2 = chainOf(candidate.id, links);
    if ("problem" in chain2)
      return {
        reason: `the chain of ${candidate.id} is broken (${describeChainProblem(candidate.id, chain2.problem)})`
      };
    if (chain2.links.length >= MAX_CHAIN) return { reason: `the chain of ${candidate.id} has ${MAX_CHAIN} links` };
    const base = snapshots.find((s) => s.id === chain2.links[0].id);
    return {
      parent: {
        snapshot: candidate,
        base: base.id,
        baseCreated: base.created,
        depth: chain2.links.length - 1,
        tree,
        chain: chain2.links.map((link) => snapshots.find((s) => s.id === link.id)),
        keys: query.keys
      }
    };
  }
  return {
    reason: candidates.length === 0 ? `no earlier ${query.level === "differential" ? "full " : ""}snapshot of this set with this key` : `no earlier ${query.level === "differential" ? "full " : ""}snapshot of the same paths among the newest ${Math.min(candidates.length, PARENT_CANDIDATES)}`
  };
}
function statFields(stats) {
  return { ino: stats.ino, ctimeMs: stats.ctimeMs, mtimeMs: stats.mtimeMs };
}
function racilyClean(before, parentStarted) {
  const coarse = (before.mtimeMs ?? 0) % 1e3 === 0 && (before.ctimeMs ?? 0) % 1e3 === 0;
  const margin = coarse ? 2e3 : 50;
  return Math.max(before.mtimeMs ?? 0, before.ctimeMs ?? 0) >= parentStarted - margin;
}
function sameAsStored(before, stats) {
  return before.size === stats.size && before.mode === formatMode(stats.mode) && before.mtime === Math.floor(stats.mtimeMs / 1e3);
}
function sameMetadata(before, stats) {
  return sameAsStored(before, stats) && before.mtimeMs === stats.mtimeMs && before.ctimeMs === stats.ctimeMs && before.ino === stats.ino;
}
function unchangedSince(before, stats, started) {
  return sameMetadata(before, stats) && !racilyClean(before, started);
}
async function* againstParent(walk, parent, level, options) {
  const { tree } = parent;
  const parentStarted = Date.parse(parent.snapshot.created);
  let scratch;
  let deltas = 0;
  const blockedFileMin = options.blockedFileMin ?? BLOCKED_FILE_MIN;
  let collected = false;
  const beforeStoring = () => {
    if (collected) return;
    tree.dropLines();
    collectGarbage();
    collected = true;
  };
  try {
    for await (const batch of walk) {
      for (const walked of batch) {
        if (isChainRecord(walked.archivePath)) {
          options.onWarning(
            `${walked.fsPath}: ${CHAIN_DIR} is the name ripcord keeps its chain records under; skipped`
          );
          continue;
        }
        const at = tree.find(walked.archivePath);
        if (at !== -1) tree.saw(at, walked.type);
        const before = at === -1 ? void 0 : tree.entry(at);
        const stats = "stats" in walked ? walked.stats : walked.seen;
        const fileBefore = walked.type === "file" && before?.type === "file" && before.sha256 ? before : void 0;
        if (fileBefore) {
          const trusted = !options.forceRead && unchangedSince(fileBefore, stats, parentStarted);
          if (trusted || sameAsStored(fileBefore, stats) && hashFile(walked.fsPath) === fileBefore.sha256) {
            const entry = carriedEntry(walked.archivePath, fileBefore, stats, level, parent.snapshot.id);
            options.onCarried(entry, trusted ? carriedLine(tree.line(at), fileBefore, entry) : void 0);
            continue;
          }
        }
        const source = "stats" in walked ? walked : sourceAt(walked.fsPath, walked.archivePath, options.onWarning);
        if (source?.type !== walked.type) {
          if (at !== -1) tree.saw(at, source?.type);
          if (!source) continue;
        }
        if (fileBefore && source.type === "file") {
          const parentBlocks = options.onDelta && source.stats.size >= blockedFileMin ? validBlocks(fileBefore.blocks, fileBefore.size) ? fileBefore.blocks : await options.parentBlocks?.(source.archivePath).catch(() => void 0) : void 0;
          if (parentBlocks && options.onDelta) {
            beforeStoring();
            scratch ??= await makeScratchFolder("chain");
            const delta = tryDelta(source, parentBlocks, scratch.dir, `${deltas += 1}`);
            if (delta) {
              options.onDelta({ ...delta.entry, ...statFields(source.stats) });
              for (const record of delta.records) {
                yield record;
                rmSync(record.fsPath, { force: true });
              }
              continue;
            }
          }
        }
        if (source.type === "file") beforeStoring();
        yield source.type === "file" && source.stats.size >= blockedFileMin ? { ...source, blocks: true } : source;
      }
      await new Promise((resolve8) => setImmediate(resolve8));
    }
    const removed = tree.removed();
    scratch ??= await makeScratchFolder("chain");
    const file = path5.join(scratch.dir, "removed");
    writeFileSync2(file, removed.map((name) => `${name}\0`).join(""), { mode: 384 });
    yield { fsPath: file, archivePath: REMOVED_RECORD, type: "file", stats: lstatSync3(file) };
  } finally {
    await scratch?.remove();
  }
}
async function* inBatches(walk, size = 256) {
  let batch = [];
  for (const entry of walk) {
    batch.push(entry);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
function tryDelta(source, before, dir, name) {
  try {
    return planDelta(source, before, dir, name);
  } catch {
    return void 0;
  }
}
var HASH_BUFFER = 1 << 20;
var hashBuffer;
function hashFile(file) {
  let fd;
  try {
    fd = openSync3(file, "r");
  } catch {
    return void 0;
  }
  try {
    const hash2 = createHash8("sha256");
    const buffer = hashBuffer ??= Buffer.allocUnsafeSlow(HASH_BUFFER);
    for (let got = readSync3(fd, buffer); got > 0; got = readSync3(fd, buffer)) hash2.update(buffer.subarray(0, got));
    return hash2.digest("hex");
  } catch {
    return void 0;
  } finally {
    closeSync3(fd);
  }
}
function checkCarried(snapshot, chain2, entry) {
  const where = `snapshot ${snapshot.id}: entry ${JSON.stringify(entry.path)}`;
  if (entry.delta !== void 0 && (!snapshot.level || entry.type !== "file" || entry.in !== void 0))
    throw new IntegrityError(`${where} is a block delta, which only a file of a chain link can be`);
  if (entry.in === void 0) return;
  if (!snapshot.level) throw new IntegrityError(`${where} names a chain link, but the snapshot is a full one`);
  if (entry.type !== "file") throw new IntegrityError(`${where} is a ${entry.type} that names a chain link`);
  if (entry.in === snapshot.id || !chain2.some((link) => link.id === entry.in))
    throw new IntegrityError(`${where} names ${entry.in}, which is not an earlier link of its chain`);
}

// src/ops/link-parent.ts
function wantsParent(request) {
  return (request.level ?? "full") !== "full" && !request.newKey && request.parentKeys !== void 0;
}
async function chooseParent(request, roots, started, listing) {
  const asked = request.level ?? "full";
  if (asked === "full") return { reason: "" };
  if (request.newKey) {
    if (asked === "auto") return { reason: "a new key starts a new chain" };
    throw new UsageError(
      `a new key starts a new chain: an ${asked} snapshot cannot use one (take a full one with --new-key)`
    );
  }
  if (!request.parentKeys)
    throw new UsageError(
      `an ${asked} snapshot reads its parent's manifest: it needs a key that decrypts the repository`
    );
  const keys = await request.parentKeys().catch((error) => {
    throw error instanceof KeyError ? new KeyError(
      `an ${asked} snapshot reads its parent's manifest, so it needs a key that decrypts: ${error.message}; or take a full one (--level full)`
    ) : error;
  });
  const level = asked === "auto" ? "incremental" : asked;
  const { snapshots } = await (listing ?? listSnapshots(request.store));
  const found = await findParent(request.store, snapshots, {
    level,
    tags: request.tags ?? [],
    roots: roots.map((r) => r.archivePath || "."),
    mode: request.keys.mode,
    keys
  });
  if ("reason" in found) return found;
  if (asked === "auto") {
    const reason2 = autoWantsFull(found.parent, request.auto ?? DEFAULT_AUTO_POLICY, new Date(started));
    if (reason2) return { reason: reason2 };
  }
  return { parent: found.parent, level };
}
function parentSource(store, parent, blockedFileMin) {
  const also = [];
  for (const entry of parent.tree.entries())
    if (entry.type === "file" && !entry.blocks && (entry.size ?? 0) >= blockedFileMin) also.push(entry.path);
  return { store, keys: parent.keys, chain: parent.chain, also, cache: /* @__PURE__ */ new Map() };
}

// src/ops/delta-read.ts
import { Writable as Writable2 } from "node:stream";
import { pipeline as pipeline3 } from "node:stream/promises";

// src/ops/entry-check.ts
import { createHash as createHash9 } from "node:crypto";
import { Transform as Transform5 } from "node:stream";
function headerMismatch(entry, expected) {
  if (entry.path !== expected.path) return `the archive holds ${entry.path} where the manifest lists ${expected.path}`;
  if (entry.kind !== expected.type)
    return `${entry.path} is a ${entry.kind} in the archive but a ${expected.type} in the manifest`;
  if (expected.type === "symlink" && entry.linkTarget !== expected.target)
    return `${entry.path} points elsewhere in the archive than the manifest says`;
  return void 0;
}
function contentMismatch(entry, expected, size, sha256) {
  if (expected.type === "file") {
    if (size !== expected.size)
      return `${entry.path} is ${size} bytes in the archive but ${expected.size} in the manifest`;
    if (sha256 !== expected.sha256) return `${entry.path} does not match its sha256 in the manifest`;
  }
  if (formatMode(entry.mode) !== expected.mode)
    return `${entry.path} has mode ${formatMode(entry.mode)} in the archive but ${expected.mode} in the manifest`;
  if (Math.floor(entry.mtime) !== expected.mtime)
    return `${entry.path} has a different modification time in the archive and the manifest`;
  return void 0;
}
function measuring(limit) {
  const hash2 = createHash9("sha256");
  let bytes = 0;
  const stream = new Transform5({
    transform(chunk, _encoding, callback) {
      hash2.update(chunk);
      bytes += chunk.length;
      if (limit && bytes > limit.bytes)
        callback(new IntegrityError(`${limit.what} holds more than the ${limit.bytes} bytes the manifest lists`));
      else callback(null, chunk);
    }
  });
  return { stream, result: () => ({ bytes, sha256: hash2.digest("hex") }) };
}

// src/ops/delta-read.ts
var GARBAGE_SLACK2 = 8 << 20;
var PLAN_LIMIT = 16 << 20;
var PATH_FIELD = Buffer.from('"path":"');
var AT_FIELD = Buffer.from('"at":');
function pathOfLine(line) {
  const start = line.indexOf(PATH_FIELD);
  if (start < 0) return void 0;
  const from = start + PATH_FIELD.length;
  let end = from;
  let escaped = false;
  for (; end < line.length; end++) {
    const byte = line[end];
    if (byte === 34) break;
    if (byte === 92) {
      escaped = true;
      end++;
    }
  }
  if (end >= line.length) return void 0;
  const text2 = line.toString("utf8", from, end);
  return escaped ? JSON.parse(`"${text2}"`) : text2;
}
async function linesAbout(source, link, file) {
  const cached = source.cache?.get(link.id)?.get(file);
  if (cached) return cached;
  const files = [file, ...(source.also ?? []).filter((f) => f !== file)];
  const roles = /* @__PURE__ */ new Map();
  for (const f of files) {
    const records = deltaRecords(f);
    roles.set(f, { file: f, role: "entry" });
    roles.set(records.plan, { file: f, role: "plan" });
    roles.set(records.data, { file: f, role: "data" });
  }
  let after = false;
  const { entries, trailer } = await readManifest(source.store, link, source.keys, {
    keep(line) {
      const name = pathOfLine(line);
      const ours = name !== void 0 && roles.has(name);
      const own = line.includes(AT_FIELD);
      const kept = ours || after && own;
      if (own && kept) after = ours;
      return kept;
    }
  });
  const next = /* @__PURE__ */ new Map();
  const found = new Map(files.map((f) => [f, { link, next, trailer }]));
  let previous;
  for (const entry of entries) {
    if (entry.at !== void 0) {
      if (previous) next.set(previous, entry.at);
      previous = entry;
    }
    const role = roles.get(entry.path);
    if (role) found.get(role.file)[role.role] = entry;
  }
  if (previous && !next.has(previous)) next.set(previous, void 0);
  collectGarbage();
  if (source.cache) {
    let byFile = source.cache.get(link.id);
    if (!byFile) source.cache.set(link.id, byFile = /* @__PURE__ */ new Map());
    for (const [f, lines] of found) byFile.set(f, lines);
  }
  return found.get(file);
}
async function readStored(source, lines, entry, sink) {
  const { link, trailer } = lines;
  const copy = async (item) => {
    const mismatch = headerMismatch(item.entry, entry);
    if (mismatch) throw new IntegrityError(mismatch);
    const count = measuring({ bytes: entry.size ?? 0, what: entry.path });
    await pipeline3(item.body, count.stream, collectingGarbage(), sink);
    const { bytes, sha256 } = count.result();
    const problem = contentMismatch(item.entry, entry, bytes, sha256);
    if (problem) throw new IntegrityError(problem);
  };
  try {
    const indexed = entry.at === void 0 ? void 0 : await openIndexed(source.store, link, source.keys, trailer);
    if (indexed && entry.at !== void 0) {
      for await (const item of indexed.items(entry.at, lines.next.get(entry), 1)) await copy(item);
      return;
    }
    const archive = await openArchive(source.store, link, source.keys);
    let found = false;
    try {
      for await (const item of archive.items) {
        if (item.entry.path !== entry.path || found) {
          for await (const _ of item.body) ;
          continue;
        }
        found = true;
        await copy(item);
      }
      await archive.finish();
    } finally {
      archive.close();
    }
    if (!found) throw new IntegrityError(`the archive has no ${entry.path}, which its manifest lists`);
  } catch (error) {
    throw describeFailure(link, "archive.tar.gz.pgp", error);
  }
}
function linkOfId(source, id, from) {
  const link = id === void 0 ? void 0 : source.chain.find((l) => l.id === id);
  if (!link)
    throw new IntegrityError(`snapshot ${from.id} names ${id ?? "no parent"}, which is not a link of its chain`);
  return link;
}
async function fileAsOf(source, holder, file) {
  return build(source, await historyOf(source, holder, file));
}
async function build(source, { whole, deltas }) {
  let version = await openScratchFile("delta");
  try {
    await readStored(source, whole, whole.entry, version.write());
    let size = whole.entry.size ?? 0;
    for (const delta of deltas) {
      const next = await applyDelta(source, delta, version, size);
      await version.close();
      version = next;
      size = delta.entry.size ?? 0;
    }
    return { content: version, entry: deltas.length > 0 ? deltas[deltas.length - 1].entry : whole.entry };
  } catch (error) {
    await version.close();
    throw error;
  }
}
async function blocksAsOf(source, holder, file) {
  const list = new BlockList();
  const collect = collectGarbageOverSlack(GARBAGE_SLACK2);
  const blocks = new Writable2({
    write(chunk, _encoding, callback) {
      list.update(chunk);
      collect();
      callback();
    }
  });
  const history = await historyOf(source, holder, file);
  if (history.deltas.length === 0) {
    await readStored(source, history.whole, history.whole.entry, blocks);
    return list.finish();
  }
  const built = await build(source, history);
  try {
    await pipeline3(built.content.read(), blocks);
    return list.finish();
  } finally {
    await built.content.close();
  }
}
async function historyOf(source, holder, file) {
  const deltas = [];
  let lines = await linesAbout(source, holder, file);
  let whole;
  for (let step = 0; !whole; step++) {
    const { entry, link } = lines;
    if (step > 2 * source.chain.length || !entry || entry.type !== "file")
      throw new IntegrityError(`snapshot ${link.id}: ${file} is not a file its chain can build`);
    if (entry.in !== void 0) {
      const expected = entry;
      lines = await linesAbout(source, linkOfId(source, entry.in, link), file);
      if (lines.entry?.sha256 !== expected.sha256 || lines.entry?.size !== expected.size)
        throw new IntegrityError(`${file} in the manifest of ${lines.link.id} is not the one ${link.id} names`);
    } else if (entry.delta) {
      if (!link.level || !lines.plan || !lines.data)
        throw new IntegrityError(`snapshot ${link.id}: ${file} is a block delta without its records`);
      deltas.push(lines);
      lines = await linesAbout(source, linkOfId(source, link.parent, link), file);
    } else {
      whole = lines;
    }
  }
  return { whole, deltas: deltas.reverse() };
}
async function applyDelta(source, delta, old, oldSize) {
  const entry = delta.entry;
  const where = `snapshot ${delta.link.id}: ${entry.path}`;
  if ((delta.plan.size ?? 0) > PLAN_LIMIT) throw new IntegrityError(`${where} has a plan too large to be ripcord's`);
  const planChunks = [];
  await readStored(
    source,
    delta,
    delta.plan,
    new Writable2({
      write(chunk, _encoding, callback) {
        planChunks.push(chunk);
        callback();
      }
    })
  );
  const data = await openScratchFile("delta");
  const built = await openScratchFile("delta");
  try {
    await readStored(source, delta, delta.data, data.write());
    const dataSize = delta.data.size ?? 0;
    const segments = parsePlan(Buffer.concat(planChunks).toString("latin1"), oldSize, dataSize, where);
    const count = measuring({ bytes: entry.size ?? 0, what: where });
    await pipeline3(
      async function* () {
        for (const s of segments) yield* (s.from === "old" ? old : data).read(s.offset, s.length);
      },
      count.stream,
      collectingGarbage(),
      built.write()
    );
    const { bytes, sha256 } = count.result();
    if (bytes !== entry.size || sha256 !== entry.sha256)
      throw new IntegrityError(`${where} does not build from its block delta to the content its manifest lists`);
    return built;
  } catch (error) {
    await built.close();
    throw error;
  } finally {
    await data.close();
  }
}
function parsePlan(text2, oldSize, dataSize, where) {
  const lines = text2.split("\n");
  if (lines.pop() !== "") throw new IntegrityError(`${where} has a malformed block delta plan`);
  return lines.map((line) => {
    const m = /^(old|new) (\d{1,15}) (\d{1,15})$/.exec(line);
    const from = m?.[1];
    const offset = Number(m?.[2]);
    const length = Number(m?.[3]);
    if (!from || length === 0 || offset + length > (from === "old" ? oldSize : dataSize))
      throw new IntegrityError(`${where} has a malformed block delta plan`);
    return { from, offset, length };
  });
}

// src/domain/wording.ts
function countOf(n, singular, plural = `${singular}s`) {
  return `${n} ${n === 1 ? singular : plural}`;
}
function formatAge(ms) {
  const seconds = ms / 1e3;
  if (seconds < 60) return countOf(Math.round(seconds), "second");
  if (seconds < 3600) return countOf(Math.round(seconds / 60), "minute");
  const hours = seconds / 3600;
  if (hours < 48) return unitOf(trim(hours), "hour");
  return unitOf(trim(hours / 24), "day");
}
function unitOf(shown, unit) {
  return `${shown} ${shown === "1" ? unit : `${unit}s`}`;
}
function trim(x) {
  return x.toFixed(1).replace(/\.0$/, "");
}
function formatRate(bytesPerSecond) {
  const units = ["B/s", "KB/s", "MB/s", "GB/s"];
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1e3 && unit < units.length - 1) {
    value /= 1e3;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

// src/ops/backup.ts
async function createBackup(request) {
  checkLabels(request.kind ?? "manual", request.tags ?? []);
  const started = Date.now();
  const reporter = request.reporter ?? silentReporter;
  const warnings = [];
  const warn = (message) => {
    warnings.push(message);
    reporter.emit({ type: "warning", message });
  };
  const roots = await resolveRoots(request.paths, request.cwd, { allowMissing: request.allowMissing ?? false });
  const recipients = request.keys.mode === "public-key" ? await inspectRecipients(request.keys.recipients) : [];
  const chaining = wantsParent(request);
  if (!chaining) dropPrestarted();
  const listing = chaining && !request.captures?.length ? listSnapshots(request.store) : void 0;
  listing?.catch(() => {
  });
  const startWalk = () => startThreadWalk(
    roots,
    { ...walkOptionsOf(request), onWarning: warn },
    // the keys of its two passphrase packets (the manifest's and the archive's) derived there too
    request.keys.mode === "passphrase" ? { s2k: reserveSalts(request.keys.passphrase, 2) } : {}
  );
  const walkEarly = listing ? startWalk() : void 0;
  let keyCheck;
  try {
    if (!request.newKey && request.kind !== "pre-restore") {
      ({ keyCheck } = await checkRepositoryKey(
        request.store,
        request.keys,
        recipients.map((r) => r.fingerprint),
        listing && (await listing).snapshots
      ));
    }
  } catch (error) {
    walkEarly?.stop();
    throw error;
  }
  let captured;
  if (request.captures?.length) {
    reporter.emit({
      type: "phase",
      phase: "capture",
      message: `capturing ${request.captures.map((c) => c.name).join(", ")}`
    });
    captured = await runCaptures(request.captures, { cwd: request.cwd, env: request.env });
    roots.push({ fsPath: captured.dir, archivePath: CAPTURED_DIR });
  }
  const early = walkEarly ?? (chaining ? startWalk() : void 0);
  try {
    const chained = await chooseParent(request, roots, started, listing);
    if (!("parent" in chained)) early?.stop();
    const snapshot = await writeSnapshot(
      request,
      roots,
      recipients.map((r) => r.fingerprint),
      started,
      warn,
      "parent" in chained ? { ...chained, ...early ? { walk: early } : {} } : void 0,
      keyCheck
    );
    return {
      snapshot,
      warnings,
      absent: roots.filter((r) => r.missing).map((r) => r.archivePath),
      ..."reason" in chained && chained.reason ? { fullBecause: chained.reason } : {}
    };
  } finally {
    early?.stop();
    await captured?.cleanup();
  }
}
function walkOptionsOf(request) {
  return { cwd: request.cwd, exclude: request.exclude ?? [], skip: request.skip ?? [] };
}
async function writeSnapshot(request, roots, recipients, started, warn, chained, keyCheck) {
  const parent = chained?.parent;
  const level = chained?.level ?? "full";
  const reporter = request.reporter ?? silentReporter;
  const { store } = request;
  const walkOptions = walkOptionsOf(request);
  let total;
  if (reporter.wantsTotals || store.properties.usesSizeHint) {
    reporter.emit({
      type: "phase",
      phase: "scan",
      message: `scanning ${roots.map((r) => r.archivePath || ".").join(", ")}`
    });
    total = await measureSources(roots, walkOptions);
  }
  throwIfStopped(request.signal);
  const id = await newSnapshotId(store, request.at ?? new Date(started));
  reporter.emit({
    type: "phase",
    phase: "pack",
    message: `snapshot ${id}: packing ${total ? `${countOf(total.files, "file")}, ${countOf(total.bytes, "byte")}` : roots.map((r) => r.archivePath || ".").join(", ")}`
  });
  const manifestText = new PassThrough3();
  const manifestSum = new ChecksumStream();
  const archiveSum = new ChecksumStream();
  let files = 0;
  let inputBytes = 0;
  let first = true;
  let manifestLines = "";
  const carried = { files: 0, bytes: 0 };
  manifestText.write(manifestHeader(roots.map((r) => r.archivePath || ".")));
  const addEntry = (entry, line) => {
    const kept = entry.type === "file" ? request.keepStats?.get(entry.path) : void 0;
    if (kept) Object.assign(entry, kept);
    if (!(chained && isChainRecord(entry.path))) {
      if (entry.type === "file") files += 1;
      inputBytes += entry.size ?? 0;
    }
    manifestLines += manifestEntryLine(entry, first, kept ? void 0 : line);
    first = false;
    if (manifestLines.length >= 1 << 16) {
      manifestText.write(manifestLines);
      manifestLines = "";
    }
  };
  const blockedFileMin = request.blockedFileMin ?? BLOCKED_FILE_MIN;
  let parentFiles;
  const walk = () => walkSources(roots, { ...walkOptions, onWarning: warn });
  const sources = chained ? againstParent(chained.walk?.batches() ?? inBatches(walk()), chained.parent, chained.level, {
    ...request.forceRead ? { forceRead: true } : {},
    blockedFileMin,
    onCarried(entry, line) {
      addEntry(entry, line);
      carried.files += 1;
      carried.bytes += entry.size ?? 0;
    },
    onDelta: addEntry,
    parentBlocks: (file) => blocksAsOf(
      parentFiles ??= parentSource(store, chained.parent, blockedFileMin),
      chained.parent.snapshot,
      file
    ),
    onWarning: warn
  }) : walk();
  const index = { batch: ARCHIVE_BATCH, members: [], parts: [], head: 0 };
  let sessionKey;
  const archive = packArchive(sources, {
    ...request.compressionLevel !== void 0 ? { level: request.compressionLevel } : {},
    batchBytes: ARCHIVE_BATCH,
    onEntry: addEntry,
    onMember: (bytes) => index.members.push(bytes),
    onProgress(done) {
      const shown = { files: done.files + carried.files, bytes: done.bytes + carried.bytes };
      reporter.emit({ type: "progress", phase: "pack", done: shown, ...total ? { total } : {} });
    },
    onWarning: warn
  });
  const archiveKey = `${id}/${ARCHIVE_OBJECT}`;
  const manifestKey = `${id}/${MANIFEST_OBJECT}`;
  const manifestStored = store.put(
    manifestKey,
    chain(manifestText, ...createCompressedEncryptStreams(request.keys), manifestSum)
  );
  manifestStored.catch(() => {
  });
  try {
    const encryptedArchive = new PassThrough3({ highWaterMark: 1 << 20 });
    const packed = pipeline4(
      archive,
      createEncryptStream(request.keys, {
        parallel: true,
        ownsChunks: true,
        onLayout: {
          head: (bytes) => index.head = bytes,
          part: (literal, plaintext) => index.parts.push([literal, plaintext])
        },
        onSessionKey: (key) => {
          sessionKey = { algorithm: AES256, key: key.toString("hex") };
          key.fill(0);
        }
      }),
      archiveSum,
      encryptedArchive,
      request.signal ? { signal: request.signal } : {}
    );
    const [stored, made] = await Promise.allSettled([
      // the archive's buffers go as soon as they are on disk (reclaim.ts freeOnceWritten)
      store.put(archiveKey, encryptedArchive, {
        ...total ? { size: estimateArchiveBytes(total) } : {},
        onWritten: written
      }),
      packed
    ]);
    throwIfStopped(request.signal);
    if (made.status === "rejected" && made.reason instanceof RipcordError) throw made.reason;
    if (stored.status === "rejected") throw stored.reason;
    if (made.status === "rejected") throw made.reason;
    const binding = {
      format: SNAPSHOT_FORMAT,
      id,
      created: snapshotIdTime(id).toISOString(),
      kind: request.kind ?? "manual",
      tags: [...request.tags ?? []],
      ...await request.origin,
      ...request.restoredFrom ? { restoredFrom: request.restoredFrom } : {},
      ...request.mergedFrom ? { mergedFrom: request.mergedFrom } : {},
      ...parent && level !== "full" ? {
        level,
        parent: parent.snapshot.id,
        parentManifestSha256: parent.snapshot.objects[MANIFEST_OBJECT].sha256,
        base: parent.base
      } : {},
      files,
      inputBytes,
      archiveBytes: archiveSum.result().bytes,
      durationMs: 0,
      compression: "gzip",
      encryption: {
        mode: request.keys.mode,
        profile: "rfc4880",
        recipients,
        ...request.keys.mode === "passphrase" ? { keyCheck: keyCheck ?? createPassphraseCheck(request.keys.passphrase) } : {}
      },
      tool: { name: "ripcord", version: VERSION }
    };
    binding.durationMs = Date.now() - started;
    const trailer = {
      archive: archiveSum.result(),
      ...sessionKey ? { archiveKey: sessionKey } : {},
      snapshot: binding
    };
    const indexed = { ...trailer, index };
    manifestText.end(
      manifestLines + (manifestTrailer(indexed).length <= MAX_INDEXED_TRAILER ? manifestTrailer(indexed) : manifestTrailer(trailer))
    );
    await manifestStored;
    const objects = { [ARCHIVE_OBJECT]: archiveSum.result(), [MANIFEST_OBJECT]: manifestSum.result() };
    const snapshot = sealMetadata({ ...binding, objects });
    await store.put(`${id}/${CHECKSUMS_OBJECT}`, Buffer.from(formatChecksums(objects)));
    const metadataText = serializeMetadata(snapshot);
    await signSnapshot(store, id, metadataText, request.keys);
    throwIfStopped(request.signal);
    await store.put(`${id}/${SNAPSHOT_OBJECT}`, Buffer.from(metadataText));
    reporter.emit({ type: "phase", phase: "done", message: `snapshot ${id} saved` });
    return snapshot;
  } catch (error) {
    manifestText.destroy(error);
    await manifestStored.catch(() => {
    });
    await removeUnfinished(store, id);
    await throwIfStopped(request.signal);
    throw error instanceof RipcordError ? error : new RipcordError(
      `backup to ${store.properties.location} failed: ${error.message ?? String(error)}`,
      { cause: error }
    );
  }
}
function throwIfStopped(signal) {
  if (!signal?.aborted) return;
  throw signal.reason instanceof RipcordError ? signal.reason : new RipcordError("backup stopped; nothing was saved");
}
function estimateArchiveBytes(total) {
  return Math.ceil(total.bytes * 1.01) + total.files * 1536 + (1 << 20);
}
async function newSnapshotId(store, at) {
  for (; ; ) {
    const id = createSnapshotId(at);
    let taken = false;
    for await (const _ of store.list(`${id}/`)) {
      taken = true;
      break;
    }
    if (!taken) return id;
  }
}
async function removeUnfinished(store, id) {
  try {
    const keys = [];
    for await (const object of store.list(`${id}/`)) keys.push(object.key);
    await store.delete(keys);
  } catch {
  }
}
var DEFAULT_EXCLUDES = [".git", "node_modules"];
var ARCHIVE_BATCH = 1 << 20;
var MAX_INDEXED_TRAILER = 512 << 10;
function repositorySkip(repository, cwd) {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ? [] : [path6.resolve(cwd, repository)];
}

// src/ops/origin.ts
import { hostname, userInfo } from "node:os";
import { promisify as promisify3 } from "node:util";
async function describeOrigin(cwd, env) {
  const origin = { host: hostname(), user: currentUser(env) };
  const git = await describeGit(cwd);
  if (git) origin.git = git;
  if (env.GITHUB_ACTIONS === "true") {
    const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : void 0;
    origin.ci = {
      provider: "github-actions",
      ...env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {},
      ...runUrl ? { runUrl } : {},
      ...env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {},
      ...env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {},
      ...env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}
    };
  }
  return origin;
}
function describeActor(env) {
  const ciRunUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : void 0;
  return { host: hostname(), actor: env.GITHUB_ACTOR || currentUser(env), ...ciRunUrl ? { ciRunUrl } : {} };
}
function currentUser(env) {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? "unknown";
  }
}
async function describeGit(cwd) {
  const { execFile } = await import("node:child_process");
  const run = promisify3(execFile);
  const git = async (...args) => (await run("git", args, { cwd, timeout: 5e3 })).stdout.trim();
  try {
    const [revisions, remote] = await Promise.all([
      git("rev-parse", "HEAD", "--abbrev-ref", "HEAD", "--"),
      git("config", "--get", "remote.origin.url").catch(() => "")
    ]);
    const [commit = "", branch = ""] = revisions.split("\n");
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) return void 0;
    return {
      commit,
      ...branch && branch !== "HEAD" ? { branch } : {},
      ...remote ? { remote: withoutCredentials(remote) } : {}
    };
  } catch {
    return void 0;
  }
}
function withoutCredentials(url) {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1");
}

// src/storage/open-store.ts
import * as path7 from "node:path";

// src/storage/retry-store.ts
import { once as once2 } from "node:events";
import { PassThrough as PassThrough4, Readable as Readable4 } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
var DEFAULT_RETRY_POLICY = {
  attempts: 5,
  delayMs: (attempt) => Math.min(8e3, 200 * 2 ** attempt)
};
var MiB = 1024 * 1024;
function isTransient(error) {
  return error instanceof StorageError && error.transient;
}
function withRetries(store, policy = DEFAULT_RETRY_POLICY, backend = {}) {
  return new RetryingStore(store, policy, backend);
}
var RetryingStore = class {
  properties;
  inner;
  policy;
  backend;
  listEmptyFolders;
  removeEmptyFolder;
  openFile;
  constructor(inner, policy, backend) {
    this.inner = inner;
    this.policy = policy;
    this.backend = backend;
    this.properties = inner.properties;
    if (inner.listEmptyFolders) this.listEmptyFolders = inner.listEmptyFolders.bind(inner);
    if (inner.removeEmptyFolder) this.removeEmptyFolder = inner.removeEmptyFolder.bind(inner);
    if (inner.openFile) this.openFile = inner.openFile.bind(inner);
  }
  wait(attempt) {
    const ms = this.policy.delayMs(attempt);
    return this.policy.sleep ? this.policy.sleep(ms) : sleep(ms);
  }
  /** `call` again while it fails transiently, unless the backend retries its requests itself */
  async again(call) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (this.backend.retriesRequests || !isTransient(error) || attempt >= this.policy.attempts) throw error;
      }
      await this.wait(attempt);
    }
  }
  put(key, body, options) {
    if (body instanceof Readable4) return this.inner.put(key, body, options);
    return this.again(() => this.inner.put(key, body, options));
  }
  async get(key, options) {
    const first = await this.again(() => this.inner.get(key, options));
    return this.backend.resumableReads ? this.resumable(key, first, options?.offset ?? 0, options?.length) : first;
  }
  /** The stream handed out survives a read cut off mid-body: the rest is read again from where it stopped. */
  resumable(key, first, offset, length) {
    const out = new PassThrough4({ highWaterMark: MiB });
    const version = objectVersion(first);
    let body = first;
    const pump = async () => {
      let received = offset;
      let resumeFailure;
      for (let attempt = 1; ; attempt++) {
        let failure = resumeFailure;
        if (body) {
          try {
            for await (const chunk of body) {
              received += chunk.length;
              if (!out.write(chunk)) await once2(out, "drain");
              if (out.destroyed) return;
            }
            out.end();
            return;
          } catch (error) {
            if (out.destroyed) return;
            failure = error;
          }
        }
        if (!isTransient(failure) || attempt >= this.policy.attempts) {
          out.destroy(failure);
          return;
        }
        await this.wait(attempt);
        try {
          body = await this.inner.get(key, {
            offset: received,
            ...length === void 0 ? {} : { length: length - (received - offset) },
            ...version === void 0 ? {} : { version }
          });
        } catch (error) {
          body = void 0;
          resumeFailure = error;
        }
      }
    };
    out.once("close", () => {
      if (body && !body.destroyed) body.destroy();
    });
    void pump();
    return out;
  }
  stat(key) {
    return this.again(() => this.inner.stat(key));
  }
  async *list(prefix, options) {
    for (let attempt = 1; ; attempt++) {
      let handedOut = false;
      try {
        for await (const object of this.inner.list(prefix, options)) {
          handedOut = true;
          yield object;
        }
        return;
      } catch (error) {
        if (handedOut || this.backend.retriesRequests || !isTransient(error) || attempt >= this.policy.attempts)
          throw error;
      }
      await this.wait(attempt);
    }
  }
  delete(keys) {
    return this.again(() => this.inner.delete(keys));
  }
  close() {
    return this.inner.close();
  }
};

// src/storage/open-store.ts
async function openStore(repository, options = {}) {
  const policy = options.retry ?? retryPolicyFor(options);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repository)?.[1]?.toLowerCase();
  switch (scheme) {
    case void 0:
      return withRetries(new LocalStore(repository), policy);
    case "file":
      return withRetries(new LocalStore(new URL(repository).pathname), policy);
    case "s3": {
      const { createS3Store } = await import("./s3-store-OMMJSSRF.js");
      return withRetries(await createS3Store(repository, options.s3 ?? {}, options.env), policy, {
        retriesRequests: true,
        resumableReads: true
      });
    }
    case "actions-cache": {
      const { createActionsCacheStore } = await import("./actions-cache-store-I7AHGZN6.js");
      return withRetries(await createActionsCacheStore(repository), policy, { retriesRequests: true });
    }
    default:
      throw new UsageError(
        `unknown repository scheme "${scheme}://" in ${repository}: use a local path, s3://bucket/prefix or actions-cache://name`
      );
  }
}
function retryPolicyFor(options) {
  const attempts = options.s3?.maxAttempts;
  return typeof attempts === "number" ? { ...DEFAULT_RETRY_POLICY, attempts } : DEFAULT_RETRY_POLICY;
}
function describeRepository(repository) {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ? repository : path7.resolve(repository);
}

// src/ops/restore-plan.ts
import { createHash as createHash10 } from "node:crypto";
import { createReadStream as createReadStream2, lstatSync as lstatSync5, readFileSync, readdirSync as readdirSync2 } from "node:fs";
import * as fs5 from "node:fs/promises";
import * as path10 from "node:path";

// src/domain/entry-safety.ts
import * as path8 from "node:path";
function unsafePathReason(name) {
  if (name === "") return "has an empty name";
  if (name.includes("\0")) return "has a NUL byte in its name";
  if (name.startsWith("/")) return "has an absolute path";
  const parts = name.split("/");
  if (parts.some((p) => p === "..")) return 'has a ".." component that escapes the target';
  if (parts.some((p) => p === "" || p === ".")) return 'has an empty or "." component in its name';
  return void 0;
}
function symlinkEscapes(name, linkTarget, root) {
  if (linkTarget === "" || linkTarget.includes("\0")) return true;
  const absoluteRoot = path8.resolve(root);
  const resolved = path8.isAbsolute(linkTarget) ? path8.resolve(linkTarget) : path8.resolve(absoluteRoot, path8.dirname(name), linkTarget);
  return resolved !== absoluteRoot && !resolved.startsWith(absoluteRoot + path8.sep);
}
function ancestorsOf(name) {
  const parts = name.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}
function safeMode(mode) {
  return mode & 1023;
}
var MAX_LINK_HOPS = 40;
function symlinkResolvesOutside(name, linkTarget, targetPaths, lookup) {
  let current = name.split("/").slice(0, -1);
  let pending = [];
  let hops = 0;
  let via = "";
  const enter = (link) => {
    if (link === "" || link.includes("\0")) return "has an empty or NUL target";
    if (!link.startsWith("/")) {
      pending = [...link.split("/"), ...pending];
      return void 0;
    }
    const parts = link.split("/").filter((p) => p !== "" && p !== ".");
    const base = targetPaths.map((t) => t.split("/").filter(Boolean)).find((t) => t.every((p, i) => parts[i] === p));
    if (!base) return `points to ${link}, outside the target`;
    current = [];
    pending = [...parts.slice(base.length), ...pending];
    return void 0;
  };
  const first = enter(linkTarget);
  if (first) return first;
  while (pending.length > 0) {
    const part = pending.shift();
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (current.length === 0)
        return via ? `climbs above the target (after following ${via})` : "climbs above the target";
      current.pop();
      continue;
    }
    const next = [...current, part];
    const node = lookup(next.join("/"));
    if (node?.type !== "symlink") {
      current = next;
      continue;
    }
    hops += 1;
    if (hops > MAX_LINK_HOPS) return `does not resolve within ${MAX_LINK_HOPS} links (a loop)`;
    const through = enter(node.target);
    if (through) return `leads through ${next.join("/")}, which ${through}`;
    via = next.join("/");
  }
  return void 0;
}

// src/ops/restore-target.ts
import { closeSync as closeSync4, fstatSync as fstatSync3, lstatSync as lstatSync4, mkdirSync, openSync as openSync4, readlinkSync as readlinkSync2, realpathSync, rmSync as rmSync2 } from "node:fs";
import * as path9 from "node:path";
var STAGING_PREFIX = ".ripcord-restore-";
function realPathOrSelf(file) {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
function linkLeavesTarget(target, name, linkTarget, lookup) {
  if (symlinkEscapes(name, linkTarget, target)) return `points outside the target ${target}`;
  return symlinkResolvesOutside(name, linkTarget, [.../* @__PURE__ */ new Set([target, realPathOrSelf(target)])], lookup);
}
function targetLookup(target) {
  const seen = /* @__PURE__ */ new Map();
  return (name) => {
    if (seen.has(name)) return seen.get(name);
    const stats = passesThroughLink(target, name) ? void 0 : lstatOrUndefined(path9.join(target, name));
    const node = !stats ? void 0 : stats.isSymbolicLink() ? { type: "symlink", target: readlinkSync2(path9.join(target, name)) } : { type: "other" };
    seen.set(name, node);
    return node;
  };
}
function passesThroughLink(target, name) {
  return ancestorsOf(name).some((ancestor) => {
    const stats = lstatOrUndefined(path9.join(target, ancestor));
    return stats !== void 0 && !stats.isDirectory();
  });
}
function topMost(paths) {
  const set = new Set(paths);
  return paths.filter((p) => !ancestorsOf(p).some((a) => set.has(a)));
}
function lstatOrUndefined(file) {
  try {
    return lstatSync4(file);
  } catch (error) {
    const code = error.code;
    if (code === "ENOENT" || code === "ENOTDIR") return void 0;
    throw error;
  }
}
function checkAncestorsInTarget(target, entry, directories, safe, snapshot) {
  for (const ancestor of ancestorsOf(entry.path)) {
    if (safe.has(ancestor)) continue;
    const stats = lstatOrUndefined(path9.join(target, ancestor));
    if (!stats || stats.isDirectory()) {
      safe.add(ancestor);
      continue;
    }
    const replacedByDirectory = directories.has(ancestor);
    if (!replacedByDirectory) {
      throw new UnsafeEntryError(
        `restoring ${entry.path} from snapshot ${snapshot.id} would write through ${path9.join(target, ancestor)}, which is a ${stats.isSymbolicLink() ? "symlink" : "file"} in the target; move it away or restore into another --target`
      );
    }
  }
}
function ensureRealDirectories(target, name, real) {
  for (const ancestor of ancestorsOf(name)) {
    if (real.has(ancestor)) continue;
    const full = path9.join(target, ancestor);
    const stats = lstatOrUndefined(full);
    if (!stats) mkdirSync(full, { mode: 493 });
    else if (!stats.isDirectory())
      throw new UnsafeEntryError(`${full} is not a directory; refusing to write through it`);
    real.add(ancestor);
  }
}
function modesCreatable(dir) {
  const probe = path9.join(dir, "umask-probe");
  const fd = openSync4(probe, "wx", 511);
  try {
    return fstatSync3(fd).mode & 511;
  } finally {
    closeSync4(fd);
    rmSync2(probe);
  }
}

// src/ops/restore-plan.ts
async function planRestore(request) {
  const snapshot = await resolveSnapshot(request.store, request.reference);
  const target = path10.resolve(request.target);
  const deleteExtras = Boolean(request.delete) || snapshot.kind === "pre-restore";
  const protect = [...request.protect ?? []].map((p) => path10.resolve(p));
  const { entries, roots, trailer } = await readManifest(request.store, snapshot, request.keys);
  collectGarbage();
  const chain2 = snapshot.level ? await chainOfSnapshot(request.store, snapshot) : [snapshot];
  for (const root of roots) {
    const reason2 = root === "." ? void 0 : unsafePathReason(root);
    if (reason2)
      throw new UnsafeEntryError(
        `snapshot ${snapshot.id}: its manifest root ${JSON.stringify(root)} ${reason2}; refusing to restore anything`
      );
  }
  const guarded = guardedNames(target, protect, snapshot);
  const rootList = roots.map((r) => r === "." ? "" : r);
  const rootSet = new Set(rootList);
  const seen = /* @__PURE__ */ new Set();
  const symlinks = /* @__PURE__ */ new Set();
  const files = /* @__PURE__ */ new Set();
  const deltaRecordsWanted = /* @__PURE__ */ new Set();
  const deltaRecordsHeld = /* @__PURE__ */ new Set();
  for (const entry of entries) {
    const reason2 = unsafePathReason(entry.path);
    const where = `snapshot ${snapshot.id}: entry ${JSON.stringify(entry.path)}`;
    if (reason2) throw new UnsafeEntryError(`${where} ${reason2}; refusing to restore anything`);
    if (seen.has(entry.path)) throw new UnsafeEntryError(`${where} appears twice; refusing to restore anything`);
    seen.add(entry.path);
    if (!["file", "directory", "symlink"].includes(entry.type)) {
      throw new UnsafeEntryError(`${where} is a ${entry.type}; only files, directories and symlinks are restored`);
    }
    checkCarried(snapshot, chain2, entry);
    if (entry.delta) for (const record of Object.values(deltaRecords(entry.path))) deltaRecordsWanted.add(record);
    if (isChainRecordOf(snapshot, entry.path)) {
      if (entry.type === "file" && isDeltaRecord(entry.path)) deltaRecordsHeld.add(entry.path);
      else if (entry.path !== REMOVED_RECORD || entry.type !== "file")
        throw new UnsafeEntryError(
          `${where} is in ${CHAIN_DIR}, which holds only a chain link's ${REMOVED_RECORD} and block deltas; refusing to restore anything`
        );
      continue;
    }
    const outside = outsideRootsReason(entry, rootSet);
    if (outside) throw new UnsafeEntryError(`${where} ${outside}; refusing to restore anything`);
    const touches = touchesGuarded(entry, guarded);
    if (touches)
      throw new UnsafeEntryError(`${where} would replace or write into ${touches}; refusing to restore anything`);
    const through = ancestorsOf(entry.path).find((a) => symlinks.has(a));
    if (through)
      throw new UnsafeEntryError(`${where} passes through the symlink ${through}; refusing to restore anything`);
    const underFile = ancestorsOf(entry.path).find((a) => files.has(a));
    if (underFile)
      throw new UnsafeEntryError(
        `${where} lies under ${JSON.stringify(underFile)}, which the snapshot lists as a file; refusing to restore anything`
      );
    if (entry.type === "file") files.add(entry.path);
    if (entry.type === "symlink") symlinks.add(entry.path);
  }
  const unmatched = unmatchedRecord(deltaRecordsWanted, deltaRecordsHeld);
  if (unmatched !== void 0)
    throw new IntegrityError(
      `snapshot ${snapshot.id}: the block delta record ${JSON.stringify(unmatched)} has no counterpart in its manifest; refusing to restore anything`
    );
  const included = request.include?.length ? createExcludeMatcher(request.include) : () => true;
  const excluded = createExcludeMatcher(request.exclude ?? []);
  const selectedPath = (name) => !isChainRecordOf(snapshot, name) && name !== CAPTURED_DIR && !name.startsWith(`${CAPTURED_DIR}/`) && [...ancestorsOf(name), name].some((p) => included(p)) && ![...ancestorsOf(name), name].some((p) => excluded(p));
  const capturedNames = new Map(
    entries.flatMap(
      (e, i) => e.type === "file" && e.path.startsWith(`${CAPTURED_DIR}/`) ? [[e.path.slice(CAPTURED_DIR.length + 1), i]] : []
    )
  );
  const captures = (request.restoreCaptures ?? []).map((capture) => {
    const index = capturedNames.get(capture.name);
    if (index === void 0) {
      const have = [...capturedNames.keys()];
      throw new UsageError(
        `snapshot ${snapshot.id} has no captured ${capture.name}${have.length ? ` (it has ${have.join(", ")})` : " (it has no captured state)"}`
      );
    }
    return { capture, index };
  });
  const unrestoredCaptures = [...capturedNames.keys()].filter((name) => !captures.some((c) => c.capture.name === name));
  const selected = /* @__PURE__ */ new Set();
  entries.forEach((entry, index) => {
    if (selectedPath(entry.path)) selected.add(index);
  });
  if (!request.allowOutsideSymlinks) refuseEscapingSymlinks(target, entries, selected, snapshot);
  const deleteScope = request.include?.length ? topMost([...selected].map((i) => entries[i].path)) : rootList.filter((r) => r !== CAPTURED_DIR && (r === "" || selectedPath(r)));
  const changes = [];
  const snapshotDirectories = new Set(entries.filter((e) => e.type === "directory").map((e) => e.path));
  const checkedAncestors = /* @__PURE__ */ new Set();
  const absent = /* @__PURE__ */ new Set();
  const touched = /* @__PURE__ */ new Set();
  const missingAncestors = /* @__PURE__ */ new Map();
  const topMostMissing = (name) => {
    for (const ancestor of ancestorsOf(name)) {
      let missing = missingAncestors.get(ancestor);
      if (missing === void 0)
        missingAncestors.set(ancestor, missing = lstatOrUndefined(path10.join(target, ancestor)) === void 0);
      if (missing) return ancestor;
    }
    return name;
  };
  const trust = request.checksum ? void 0 : { started: Date.parse(snapshot.created) };
  const alreadyThere = [];
  for (const index of selected) {
    const entry = entries[index];
    checkAncestorsInTarget(target, entry, snapshotDirectories, checkedAncestors, snapshot);
    const parent = path10.posix.dirname(entry.path);
    const underAbsent = absent.has(parent);
    const change = underAbsent ? { path: entry.path, type: entry.type, action: "add" } : await compareWithTarget(target, entry, trust);
    if (change.action === "unchanged" && entry.type !== "directory") alreadyThere.push(index);
    if (change.action === "add" && entry.type === "directory") absent.add(entry.path);
    if (change.action === "change") touched.add(entry.path);
    else if (change.action === "add" && !underAbsent) touched.add(topMostMissing(entry.path));
    changes.push(change);
  }
  const removals = [];
  if (deleteExtras) {
    const wanted = new Set([...selected].map((i) => entries[i].path));
    const directories = new Set(
      [...selected].filter((i) => entries[i].type === "directory").map((i) => entries[i].path)
    );
    for (const root of deleteScope) {
      if (root !== "" && !wanted.has(root) && !await exists(path10.join(target, root))) continue;
      if (root !== "" && !directories.has(root) && wanted.has(root)) continue;
      await collectExtras(target, root, wanted, guarded, excluded, removals);
    }
    removals.sort((a, b) => b.length - a.length || (a < b ? 1 : -1));
    for (const removal of removals) {
      const stats = await fs5.lstat(path10.join(target, removal));
      changes.push({
        path: removal,
        action: "remove",
        type: stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : stats.isFile() ? "file" : "other"
      });
      touched.add(removal);
    }
  }
  for (const index of alreadyThere) selected.delete(index);
  const counts = { add: 0, change: 0, remove: 0, unchanged: 0 };
  for (const change of changes) counts[change.action] += 1;
  const scope = topMost([...touched].sort()).filter((name) => !passesThroughLink(target, name));
  const undoNeedsOutsideLinks = holdsOutsideLink(target, scope, guarded);
  const newTarget = lstatOrUndefined(target) === void 0;
  return {
    snapshot,
    chain: chain2,
    target,
    entries,
    archive: archiveOf(trailer),
    selected,
    changes,
    counts,
    scope,
    undoNeedsOutsideLinks,
    removals,
    deleteExtras,
    protect,
    captures,
    unrestoredCaptures,
    newTarget
  };
}
function guardedNames(target, protect, snapshot) {
  const names = /* @__PURE__ */ new Set();
  const targets = [.../* @__PURE__ */ new Set([target, realPathOrSelf(target)])];
  for (const guardedPath of protect) {
    for (const base of targets) {
      for (const candidate of /* @__PURE__ */ new Set([guardedPath, realPathOrSelf(guardedPath)])) {
        const relative3 = path10.relative(base, candidate);
        const inward = path10.relative(candidate, base);
        if (relative3 === "" || inward !== ".." && !inward.startsWith(`..${path10.sep}`) && !path10.isAbsolute(inward)) {
          throw new UnsafeEntryError(
            `the target ${target} lies inside the repository ${guardedPath}; restore snapshot ${snapshot.id} into another --target`
          );
        }
        if (relative3 !== ".." && !relative3.startsWith(`..${path10.sep}`) && !path10.isAbsolute(relative3))
          names.add(relative3.split(path10.sep).join("/"));
      }
    }
  }
  return [...names];
}
function outsideRootsReason(entry, roots) {
  if (entry.path === CAPTURED_DIR || entry.path.startsWith(`${CAPTURED_DIR}/`)) {
    if (!roots.has(CAPTURED_DIR)) return `is captured state, but the manifest has no ${CAPTURED_DIR} root`;
    const name = entry.path.slice(CAPTURED_DIR.length + 1);
    const fits = entry.path === CAPTURED_DIR ? entry.type === "directory" : entry.type === "file" && CAPTURE_NAME.test(name);
    return fits ? void 0 : `is not captured state as ripcord stores it (a file ${CAPTURED_DIR}/NAME)`;
  }
  if (roots.has("") || roots.has(entry.path) || ancestorsOf(entry.path).some((a) => roots.has(a))) return void 0;
  const shown = [...roots].slice(0, 5).map((r) => JSON.stringify(r || "."));
  return `lies outside the snapshot's roots (${shown.join(", ")}${roots.size > 5 ? ", ..." : ""})`;
}
function touchesGuarded(entry, guarded) {
  const top = entry.path.split("/")[0];
  if (top.startsWith(STAGING_PREFIX)) return `${JSON.stringify(top)}, a name ripcord reserves for its staging folders`;
  const hit = guarded.find(
    (name) => entry.path === name || entry.path.startsWith(`${name}/`) || entry.type !== "directory" && name.startsWith(`${entry.path}/`)
  );
  return hit === void 0 ? void 0 : `the repository (${hit})`;
}
function refuseEscapingSymlinks(target, entries, selected, snapshot) {
  const links = entries.filter((e) => e.type === "symlink");
  if (links.length === 0) return;
  const restored = /* @__PURE__ */ new Map();
  for (const index of selected) restored.set(entries[index].path, entries[index]);
  const inTarget = targetLookup(target);
  const lookup = (name) => {
    const entry = restored.get(name);
    if (entry) return entry.type === "symlink" ? { type: "symlink", target: entry.target ?? "" } : { type: "other" };
    return inTarget(name);
  };
  for (const entry of links) {
    const linkTarget = entry.target ?? "";
    const why = linkLeavesTarget(target, entry.path, linkTarget, lookup);
    if (why) {
      throw new UnsafeEntryError(
        `snapshot ${snapshot.id}: entry ${JSON.stringify(entry.path)} is a symlink to ${JSON.stringify(linkTarget)} that ${why}; refusing (use --allow-outside-symlinks to restore such links; they are never followed)`
      );
    }
  }
}
function holdsOutsideLink(target, scope, guarded) {
  const lookup = targetLookup(target);
  const visit = (name) => {
    if (guarded.includes(name) || name.split("/")[0].startsWith(STAGING_PREFIX)) return false;
    const node = lookup(name);
    if (node?.type === "symlink") return linkLeavesTarget(target, name, node.target, lookup) !== void 0;
    if (node?.type !== "other" || !lstatOrUndefined(path10.join(target, name))?.isDirectory()) return false;
    return readdirSync2(path10.join(target, name)).some((child) => visit(`${name}/${child}`));
  };
  return scope.some(visit);
}
async function exists(file) {
  return lstatOrUndefined(file) !== void 0;
}
function archiveOf(trailer) {
  const { snapshot: _binding, ...archive } = trailer;
  return archive;
}
async function compareWithTarget(target, entry, trust) {
  const file = path10.join(target, entry.path);
  const stats = lstatOrUndefined(file);
  const base = { path: entry.path, type: entry.type };
  if (!stats) return { ...base, action: "add" };
  const actualType = stats.isDirectory() ? "directory" : stats.isSymbolicLink() ? "symlink" : stats.isFile() ? "file" : "other";
  if (actualType !== entry.type) return { ...base, action: "change", what: `type (${actualType} -> ${entry.type})` };
  if (entry.type === "symlink") {
    return await fs5.readlink(file) === entry.target ? { ...base, action: "unchanged" } : { ...base, action: "change", what: "link target" };
  }
  if (entry.type === "file") {
    const sameContent = stats.size === entry.size && (trust !== void 0 && unchangedSince(entry, stats, trust.started) || await sha256File(file) === entry.sha256);
    if (!sameContent) return { ...base, action: "change", what: "content" };
  }
  if ((stats.mode & 4095) !== safeMode(parseMode(entry.mode))) return { ...base, action: "change", what: "mode" };
  return { ...base, action: "unchanged" };
}
async function sha256File(file) {
  const hash2 = createHash10("sha256");
  const size = lstatSync5(file).size;
  if (size <= 1 << 20) return hash2.update(readFileSync(file)).digest("hex");
  for await (const chunk of createReadStream2(file, { highWaterMark: 1 << 20 })) hash2.update(chunk);
  return hash2.digest("hex");
}
async function collectExtras(target, root, wanted, guarded, excluded, out) {
  const full = root === "" ? target : path10.join(target, root);
  if (guarded.includes(root) || path10.basename(full).startsWith(STAGING_PREFIX)) return;
  if (root !== "" && excluded(root)) return;
  if (passesThroughLink(target, root)) return;
  const stats = lstatOrUndefined(full);
  if (!stats) return;
  const holdsGuarded = guarded.some((name) => root === "" || name.startsWith(`${root}/`));
  if (root !== "" && !wanted.has(root) && !(holdsGuarded && stats.isDirectory())) {
    out.push(root);
    return;
  }
  if (!stats.isDirectory()) return;
  for (const name of await fs5.readdir(full)) {
    await collectExtras(target, root === "" ? name : `${root}/${name}`, wanted, guarded, excluded, out);
  }
}

// src/ops/restore.ts
import { createHash as createHash12 } from "node:crypto";
import { chmodSync, mkdirSync as mkdirSync3, renameSync, rmSync as rmSync3, utimesSync as utimesSync2 } from "node:fs";
import * as fs8 from "node:fs/promises";
import * as path12 from "node:path";

// src/domain/clock.ts
import { setTimeout as sleep2 } from "node:timers/promises";
var systemClock = {
  now: () => /* @__PURE__ */ new Date(),
  sleep: (ms) => sleep2(ms),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  }
};

// src/ops/lock.ts
var PREFIX4 = "locks";
var MAX_LEASE_MS = 60 * 6e4;
var MAX_RECORD_BYTES = 16 << 10;
async function acquireLock(store, name, owner, options = {}) {
  const leaseMs = options.leaseMs ?? 5 * 6e4;
  if (!(leaseMs > 0 && leaseMs <= MAX_LEASE_MS))
    throw new RangeError(`a lock lease of ${leaseMs} ms: it must be positive and at most ${MAX_LEASE_MS} ms`);
  const renewMs = options.renewMs ?? Math.max(1e3, Math.floor(leaseMs / 5));
  const pollMs = options.pollMs ?? 2e3;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const deadline = now().getTime() + (options.waitMs ?? 0);
  for (let attempt = 1; ; attempt += 1) {
    const acquired = now();
    const key = `${PREFIX4}/${name}/${createSnapshotId(acquired)}.json`;
    const record = (at) => ({
      ...owner,
      acquired: acquired.toISOString(),
      expires: new Date(at.getTime() + leaseMs).toISOString()
    });
    await store.put(key, Buffer.from(JSON.stringify(record(acquired))));
    const others = await otherLiveLocks(store, name, now(), options.sameMachine ?? false, key);
    if (others.length === 0) {
      let renewing = Promise.resolve();
      const stopRenewing = clock.every(renewMs, () => {
        renewing = store.put(key, Buffer.from(JSON.stringify(record(now())))).catch(() => {
        });
        return renewing;
      });
      return {
        key,
        async release() {
          stopRenewing();
          await renewing;
          await store.delete([key]);
        }
      };
    }
    await store.delete([key]);
    const left = deadline - now().getTime();
    if (left <= 0 && attempt >= QUICK_ATTEMPTS) throw lockedBy(name, others[0], store);
    await clock.sleep(left > 0 ? Math.min(left, pollMs * (0.5 + Math.random())) : 25 + Math.random() * 100);
  }
}
var QUICK_ATTEMPTS = 3;
async function withLock(store, name, owner, options, work) {
  const lock = await acquireLock(store, name, owner, options);
  try {
    return await work();
  } finally {
    await lock.release().catch(() => {
    });
  }
}
async function otherLiveLocks(store, name, now, sameMachine, own) {
  const objects = [];
  for await (const object of store.list(`${PREFIX4}/${name}/`)) {
    if (object.key === own) continue;
    if (object.key.includes(PARTIAL_MARKER)) {
      if (now.getTime() - object.modified.getTime() > MAX_LEASE_MS) await store.delete([object.key]).catch(() => {
      });
      continue;
    }
    objects.push(object);
  }
  objects.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const live = [];
  for (const object of objects) {
    let content;
    try {
      content = await readRecord(store, object);
    } catch {
      continue;
    }
    const found = parseLock(object, content);
    if (found.lapses.getTime() <= now.getTime() || sameMachine && found.record && !processAlive(found.record.pid)) {
      await store.delete([object.key]).catch(() => {
      });
      continue;
    }
    live.push(found);
  }
  return live;
}
async function readRecord(store, object) {
  if (object.size > MAX_RECORD_BYTES) return void 0;
  const chunks = [];
  let bytes = 0;
  for await (const chunk of await store.get(object.key)) {
    bytes += chunk.length;
    if (bytes > MAX_RECORD_BYTES) return void 0;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return void 0;
  }
}
function parseLock(object, content) {
  const fields = typeof content === "object" && content !== null && !Array.isArray(content) ? content : {};
  const text2 = (value) => typeof value === "string" ? value : void 0;
  const optional = (value) => value === void 0 || typeof value === "string";
  const written2 = object.modified.getTime();
  const longest = Number.isNaN(written2) ? 0 : written2 + MAX_LEASE_MS;
  const expires = Date.parse(text2(fields.expires) ?? "");
  const pid = fields.pid;
  const valid = text2(fields.operation) !== void 0 && text2(fields.host) !== void 0 && typeof pid === "number" && Number.isSafeInteger(pid) && pid > 0 && !Number.isNaN(Date.parse(text2(fields.acquired) ?? "")) && !Number.isNaN(expires) && optional(fields.user) && optional(fields.ciRun);
  const user = text2(fields.user);
  const ciRun = text2(fields.ciRun);
  const holder = valid ? `${printable2(fields.operation)} by ${user ? `${printable2(user)}@` : ""}${printable2(fields.host)} (pid ${pid}${ciRun ? `, ${printable2(ciRun)}` : ""}) since ${printable2(fields.acquired)}` : `a lock record that does not parse${text2(fields.operation) ? ` (${printable2(fields.operation)})` : ""}`;
  return {
    key: object.key,
    record: valid ? fields : void 0,
    holder,
    lapses: new Date(valid ? Math.min(expires, longest) : longest)
  };
}
function printable2(value) {
  const escaped = escapeControls(value);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}...` : escaped;
}
function lockedBy(name, holder, store) {
  return new LockedError(
    `${name} is locked in ${store.properties.location}: ${holder.holder}; its lease runs until ${holder.lapses.toISOString()} and lapses by itself if that job is gone (or remove ${printable2(holder.key)})`
  );
}
function lockOwner(operation, origin) {
  return {
    operation,
    host: origin.host,
    pid: process.pid,
    user: origin.user,
    ciRun: origin.ci?.runUrl ?? origin.ci?.runId
  };
}

// src/ops/restore-layout.ts
import { mkdirSync as mkdirSync2 } from "node:fs";
import * as fs6 from "node:fs/promises";
import * as path11 from "node:path";
async function stagingLayout(plan, staging) {
  const byIndex2 = (index) => path11.join(staging, String(index));
  if (!await stagesAsTree(plan, staging))
    return { staging, tree: void 0, pathOf: byIndex2, addFolder: noFolders, makeParents() {
    }, makeFolders() {
    } };
  const tree = path11.join(staging, "tree");
  await fs6.mkdir(tree, { mode: 448 });
  const pathOf = (index) => plan.selected.has(index) ? path11.join(tree, plan.entries[index].path) : byIndex2(index);
  const folders2 = /* @__PURE__ */ new Set();
  return {
    staging,
    tree,
    pathOf,
    addFolder: (index) => folders2.add(pathOf(index)),
    makeParents(file) {
      if (folders2.size === 0) return;
      const missing = [];
      for (let folder = path11.dirname(file); folders2.has(folder); folder = path11.dirname(folder)) missing.push(folder);
      for (const folder of missing.reverse()) {
        mkdirSync2(folder, { mode: 448 });
        folders2.delete(folder);
      }
    },
    makeFolders() {
      for (const folder of folders2) mkdirSync2(folder, { mode: 448 });
      folders2.clear();
    }
  };
}
function noFolders() {
  throw new Error("only a tree layout makes folders");
}
async function stagesAsTree(plan, staging) {
  if (plan.removals.length > 0) return false;
  if ((await fs6.readdir(plan.target)).some((name) => name !== path11.basename(staging))) return false;
  const directories = /* @__PURE__ */ new Set();
  for (const index of [...plan.selected].sort((a, b) => a - b)) {
    const entry = plan.entries[index];
    const parent = path11.posix.dirname(entry.path);
    if (parent !== "." && !directories.has(parent)) return false;
    if (entry.type === "directory") directories.add(entry.path);
  }
  return true;
}

// src/ops/restore-stage.ts
import { createHash as createHash11 } from "node:crypto";
import { lutimesSync } from "node:fs";
import * as fs7 from "node:fs/promises";

// src/ops/stage-writer.ts
import { closeSync as closeSync5, fchmodSync, futimesSync, openSync as openSync5, writeSync as writeSync2 } from "node:fs";
import { availableParallelism as availableParallelism4 } from "node:os";
var BATCH = 512 << 10;
var POOL = 4;
var MAX_OPS = 512;
var PARALLEL_FROM = 16 << 20;
function createStagingWriter(bytes) {
  return bytes >= PARALLEL_FROM && availableParallelism4() > 1 ? new WorkerWriter() : new InlineWriter();
}
var InlineWriter = class {
  #fd;
  open(file, mode) {
    this.#fd = openSync5(file, "wx", mode);
  }
  write(chunk) {
    writeSync2(this.#fd, chunk);
  }
  close(chmod2, mtime) {
    const fd = this.#fd;
    this.#fd = void 0;
    try {
      if (chmod2 !== void 0) fchmodSync(fd, chmod2);
      futimesSync(fd, mtime, mtime);
    } finally {
      closeSync5(fd);
    }
  }
  async finish() {
  }
  async stop() {
    if (this.#fd !== void 0) closeSync5(this.#fd);
    this.#fd = void 0;
  }
};
var WorkerWriter = class {
  #worker;
  #exited;
  #free = [];
  #allocated = 0;
  #inFlight = 0;
  #ops = [];
  #data;
  #used = 0;
  #failure;
  /** wakes whoever waits for a buffer to come back */
  #returned;
  constructor() {
    this.#worker = startWorker({ from: import.meta.url, name: "stage-worker" });
    this.#exited = new Promise((resolve8) => this.#worker.once("exit", () => resolve8()));
    this.#worker.on("message", (message) => this.#receive(message));
    this.#worker.on("error", (error) => this.#fail(error));
    this.#worker.once("exit", (code) => this.#fail(new Error(`the staging worker stopped (exit code ${code})`)));
  }
  open(file, mode) {
    this.#check();
    this.#ops.push({ open: file, mode });
  }
  write(chunk) {
    this.#check();
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.#data) {
        this.#data = this.#take();
        if (!this.#data) return this.#waitThenWrite(chunk.subarray(offset));
      }
      const n = Math.min(chunk.length - offset, this.#data.length - this.#used);
      chunk.copy(this.#data, this.#used, offset, offset + n);
      this.#used += n;
      offset += n;
      this.#ops.push({ write: n });
      if (this.#used === this.#data.length) this.#flush();
    }
    return void 0;
  }
  close(chmod2, mtime) {
    this.#check();
    this.#ops.push(chmod2 === void 0 ? { close: true, mtime } : { close: true, chmod: chmod2, mtime });
    if (this.#ops.length >= MAX_OPS) this.#flush();
  }
  async finish() {
    this.#check();
    this.#flush();
    while (this.#inFlight > 0 && !this.#failure) await this.#bufferBack();
    this.#check();
    await this.stop();
  }
  async stop() {
    this.#worker.postMessage({ stop: true });
    await this.#exited;
  }
  async #waitThenWrite(rest) {
    while (!this.#data) {
      await this.#bufferBack();
      this.#check();
      this.#data = this.#take();
    }
    await this.write(rest);
  }
  /** a buffer to fill: a returned one, a new one while fewer than POOL exist, or none */
  #take() {
    this.#used = 0;
    const reused = this.#free.pop();
    if (reused) return reused;
    if (this.#allocated === POOL) return void 0;
    this.#allocated += 1;
    return Buffer.allocUnsafeSlow(BATCH);
  }
  #flush() {
    if (this.#ops.length === 0) return;
    const data = this.#data ?? Buffer.allocUnsafeSlow(0);
    const view = new Uint8Array(data.buffer, data.byteOffset, this.#data ? this.#used : 0);
    this.#worker.postMessage({ ops: this.#ops, data: view }, [data.buffer]);
    this.#inFlight += 1;
    this.#ops = [];
    this.#data = void 0;
    this.#used = 0;
  }
  #receive(message) {
    this.#inFlight -= 1;
    if (message.failure) this.#failure ??= errorOf(message.failure);
    const back = message.data;
    if (back.buffer.byteLength === BATCH) this.#free.push(Buffer.from(back.buffer, 0, BATCH));
    this.#wake();
  }
  #bufferBack() {
    return new Promise((resolve8) => {
      this.#returned = resolve8;
    });
  }
  #wake() {
    const wake = this.#returned;
    this.#returned = void 0;
    wake?.();
  }
  #fail(error) {
    this.#failure ??= error;
    this.#wake();
  }
  #check() {
    if (this.#failure) throw this.#failure;
  }
};
function errorOf(failure) {
  const error = new Error(failure.message);
  if (failure.code) error.code = failure.code;
  if (failure.syscall) error.syscall = failure.syscall;
  if (failure.path) error.path = failure.path;
  return error;
}

// src/ops/restore-stage.ts
async function stage(plan, layout, options, reporter) {
  const { snapshot, entries, selected } = plan;
  const creatable = modesCreatable(layout.staging);
  const writer = createStagingWriter(snapshot.inputBytes);
  const done = { files: 0, bytes: 0 };
  const total = { files: snapshot.files, bytes: snapshot.inputBytes };
  const staged = (index) => selected.has(index) || plan.captures.some((c) => c.index === index);
  const context = { plan, layout, options, reporter, writer, creatable, done, total, staged };
  const own = [];
  const fromLinks = /* @__PURE__ */ new Map();
  const deltas = [];
  entries.forEach((entry, index) => {
    if (entry.delta) {
      if (staged(index)) deltas.push({ index, link: snapshot });
    } else if (entry.in === void 0) own.push(index);
    else if (staged(index)) {
      let wanted = fromLinks.get(entry.in);
      if (!wanted) fromLinks.set(entry.in, wanted = /* @__PURE__ */ new Map());
      wanted.set(entry.path, index);
    }
  });
  try {
    const ownPlaces = readsFew(context, snapshot, own) ? own.map((index) => ({ path: entries[index].path, at: entries[index].at })) : void 0;
    const ranged = ownPlaces && await byIndex(context, snapshot, ownPlaces, plan.archive);
    if (ranged && ownPlaces) await stageRuns(context, snapshot, ranged, ownPlaces, (position) => own[position]);
    else await stageArchive(context, snapshot, (_item, position) => own[position], own.length);
    for (const link of [...plan.chain].reverse()) {
      const wanted = fromLinks.get(link.id);
      if (!wanted || wanted.size === 0) continue;
      await stageFromLink(context, link, wanted, deltas);
    }
    const source = {
      store: options.store,
      keys: options.keys,
      chain: plan.chain,
      also: deltas.map((delta) => entries[delta.index].path),
      cache: /* @__PURE__ */ new Map()
    };
    for (const delta of deltas) await stageDelta(context, source, delta);
    if (!layout.tree) await stageSymlinks(context);
    layout.makeFolders();
    await writer.finish();
  } catch (error) {
    if (error instanceof UnsafeEntryError || error instanceof IntegrityError) throw error;
    const code = error?.code;
    if (code && /^E[A-Z]+$/.test(code) && error.syscall) {
      const why = code === "ENOSPC" || code === "EDQUOT" ? "the disk is full" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "the file system is read-only" : code;
      throw new RipcordError(
        `cannot stage snapshot ${snapshot.id} in ${plan.target}: ${why}; the target was not changed (free space or restore into another --target)`,
        { cause: error }
      );
    }
    throw error;
  } finally {
    await writer.stop();
  }
}
var RANGED_SHARE = 0.25;
var RUN_GAP = 2 << 20;
function readsFew(context, link, indexes) {
  if (context.layout.tree) return false;
  let bytes = 0;
  for (const index of indexes) {
    const entry = context.plan.entries[index];
    if (entry.type === "file" && context.staged(index)) bytes += entry.size ?? 0;
  }
  return bytes <= RANGED_SHARE * link.inputBytes;
}
async function byIndex(context, link, places, trailer) {
  if (!trailer.index || places.some((p) => p.at === void 0)) return void 0;
  return openIndexed(context.options.store, link, context.options.keys, trailer);
}
async function stageRuns(context, link, archive, places, indexOf) {
  const { plan } = context;
  const needed = (position) => {
    const index = indexOf(position);
    return index !== void 0 && plan.entries[index].type === "file" && context.staged(index);
  };
  const at = (position) => places[position].at;
  for (let p = 0; p < places.length; ) {
    if (!needed(p)) {
      p += 1;
      continue;
    }
    let q = p;
    for (let r = p + 1; r < places.length; r++) {
      if (!needed(r)) continue;
      if (at(r) - at(q + 1) > RUN_GAP) break;
      q = r;
    }
    const count = q - p + 1;
    const to = q + 1 < places.length ? at(q + 1) : void 0;
    const first = p;
    try {
      await stageItems(context, link, archive.items(at(p), to, count), (item, k) => {
        if (item.entry.path !== places[first + k].path)
          throw new IntegrityError(
            `the archive holds ${item.entry.path} where the manifest of ${link.id} lists ${places[first + k].path}`
          );
        return indexOf(first + k);
      });
    } catch (error) {
      if (error instanceof UnsafeEntryError || error?.syscall) throw error;
      throw describeFailure(link, "archive.tar.gz.pgp", error);
    }
    p = q + 1;
  }
}
async function stageFromLink(context, link, wanted, deltas) {
  const { plan, options } = context;
  let ranged;
  const few = readsFew(context, link, wanted.values());
  const at = Buffer.from('"at":');
  const { entries, trailer } = await readManifest(options.store, link, options.keys, {
    keep: (line) => few && line.includes(at) || line.includes(DELTA_MARK)
  });
  const places = [];
  for (const entry of entries) {
    if (entry.delta) {
      const index = takeWanted(wanted, entry.path);
      if (index !== void 0) deltas.push({ index, link });
    } else if (entry.in === void 0) places.push({ path: entry.path, at: entry.at });
  }
  entries.length = 0;
  if (few) {
    const archive = await byIndex(context, link, places, trailer);
    if (archive) ranged = { archive, places, indexes: places.map((place) => takeWanted(wanted, place.path)) };
  }
  collectGarbage();
  const missing = () => wanted.values().next().value;
  if (ranged) {
    const { archive, places: places2, indexes } = ranged;
    if (missing() === void 0) await stageRuns(context, link, archive, places2, (position) => indexes[position]);
  } else {
    await stageArchive(context, link, (item) => takeWanted(wanted, item.entry.path));
  }
  const left = missing();
  if (left !== void 0)
    throw new IntegrityError(
      `snapshot ${plan.snapshot.id}: ${plan.entries[left].path} is not in the archive of ${link.id}, where its manifest says it is`
    );
}
var DELTA_MARK = Buffer.from('"delta":true');
async function stageDelta(context, source, { index, link }) {
  const { plan, layout, reporter, writer, creatable, done, total } = context;
  const expected = plan.entries[index];
  const built = await fileAsOf(source, link, expected.path);
  try {
    if (built.entry.sha256 !== expected.sha256 || built.entry.size !== expected.size)
      throw new IntegrityError(
        `snapshot ${plan.snapshot.id}: ${expected.path} in ${link.id} is not the file its manifest lists`
      );
    const mode = plan.selected.has(index) ? safeMode(parseMode(expected.mode)) : 384;
    const file = layout.pathOf(index);
    layout.makeParents(file);
    writer.open(file, mode);
    for await (const chunk of built.content.read()) {
      const wait = writer.write(chunk);
      if (await wait) await wait;
    }
    writer.close((mode & ~creatable) !== 0 ? mode : void 0, expected.mtime);
  } finally {
    await built.content.close();
  }
  done.bytes += expected.size ?? 0;
  done.files += 1;
  reporter.emit({ type: "progress", phase: "stage", done: { ...done }, total });
}
function takeWanted(wanted, path13) {
  const index = wanted.get(path13);
  if (index !== void 0) wanted.delete(path13);
  return index;
}
async function stageSymlinks(context) {
  const { plan, layout } = context;
  for (const index of plan.selected) {
    const entry = plan.entries[index];
    if (entry.type !== "symlink") continue;
    const link = layout.pathOf(index);
    if (lstatOrUndefined(link) === void 0) await fs7.symlink(entry.target ?? "", link);
  }
}
async function stageArchive(context, link, place, items) {
  const archive = await openArchive(context.options.store, link, context.options.keys, { consumesInOrder: true });
  try {
    await stageItems(context, link, archive.items, place, items);
    await archive.finish();
  } catch (error) {
    if (error instanceof UnsafeEntryError || error?.syscall) throw error;
    throw describeFailure(link, "archive.tar.gz.pgp", error);
  } finally {
    archive.close();
  }
}
async function stageItems(context, link, source, place, items) {
  const { plan, layout, reporter, writer, creatable, done, total } = context;
  const { snapshot, entries, selected } = plan;
  let position = 0;
  for await (const item of source) {
    const index = place(item, position);
    position += 1;
    const where = `snapshot ${link.id}: archive entry ${JSON.stringify(item.entry.path)}`;
    if (index === void 0) {
      if (items !== void 0) throw new IntegrityError(`${where} is not in the manifest`);
      for await (const _ of item.body) ;
      continue;
    }
    const expected = entries[index];
    if (!["file", "directory", "symlink"].includes(item.entry.kind)) {
      throw new UnsafeEntryError(
        `${where} is a ${item.entry.kind}; only files, directories and symlinks are restored, refusing`
      );
    }
    const mismatch = headerMismatch(item.entry, expected);
    if (mismatch) throw new IntegrityError(`snapshot ${snapshot.id}: ${mismatch}`);
    const hash2 = createHash11("sha256");
    let size = 0;
    const limit = expected.type === "file" ? expected.size ?? 0 : 0;
    const count = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        throw new IntegrityError(
          `snapshot ${snapshot.id}: ${item.entry.path} holds more than the ${limit} bytes the manifest lists`
        );
      }
      hash2.update(chunk);
    };
    if (context.staged(index) && expected.type === "file") {
      const mode = selected.has(index) ? safeMode(parseMode(expected.mode)) : 384;
      const file = layout.pathOf(index);
      layout.makeParents(file);
      writer.open(file, mode);
      for await (const chunk of item.body) {
        count(chunk);
        const wait = writer.write(chunk);
        if (await wait) await wait;
      }
      writer.close((mode & ~creatable) !== 0 ? mode : void 0, expected.mtime);
    } else {
      for await (const chunk of item.body) count(chunk);
    }
    const problem = contentMismatch(item.entry, expected, size, hash2.digest("hex"));
    if (problem) throw new IntegrityError(`snapshot ${snapshot.id}: ${problem}`);
    if (selected.has(index) && expected.type === "symlink") {
      const link2 = layout.pathOf(index);
      layout.makeParents(link2);
      await fs7.symlink(expected.target ?? "", link2);
      if (layout.tree) setLinkTime(link2, expected.mtime);
    }
    if (layout.tree && selected.has(index) && expected.type === "directory") layout.addFolder(index);
    done.bytes += size;
    if (expected.type === "file") done.files += 1;
    reporter.emit({ type: "progress", phase: "stage", done: { ...done }, total });
  }
  if (items !== void 0 && position !== items)
    throw new IntegrityError(`snapshot ${link.id}: the archive ends after ${position} of ${items} entries`);
}
function setLinkTime(file, seconds) {
  const mtime = new Date(seconds * 1e3);
  try {
    lutimesSync(file, mtime, mtime);
  } catch {
  }
}

// src/domain/shell-quote.ts
function shellQuote(word) {
  return /^[A-Za-z0-9_/.:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// src/ops/restore.ts
async function restoreLockStore() {
  return new LocalStore(await privateFolder());
}
function targetLockName(target) {
  return `restore-${createHash12("sha256").update(path12.resolve(target)).digest("hex").slice(0, 16)}`;
}
async function removeStaleStaging(target, origin) {
  await withLock(
    await restoreLockStore(),
    targetLockName(target),
    lockOwner(`restore into ${target}`, origin),
    { sameMachine: true },
    async () => {
      for (const name of await fs8.readdir(target).catch(() => [])) {
        if (name.startsWith(STAGING_PREFIX)) await fs8.rm(path12.join(target, name), { recursive: true, force: true });
      }
    }
  );
}
async function applyRestore(plan, options) {
  return withLock(
    await restoreLockStore(),
    targetLockName(plan.target),
    lockOwner(`restore into ${plan.target}`, options.origin),
    { sameMachine: true, waitMs: options.lockWaitMs ?? 0 },
    () => applyRestoreLocked(plan, options)
  );
}
async function openStaging(target) {
  try {
    await fs8.mkdir(target, { recursive: true });
    for (const name of await fs8.readdir(target)) {
      if (name.startsWith(STAGING_PREFIX)) await fs8.rm(path12.join(target, name), { recursive: true, force: true });
    }
    return await fs8.mkdtemp(path12.join(target, STAGING_PREFIX));
  } catch (error) {
    const code = error.code;
    if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") throw error;
    throw new RipcordError(
      `cannot write into the restore target ${target} (${code}): nothing was changed; restore as a user who can write there, or choose another --target`,
      { cause: error }
    );
  }
}
async function applyRestoreLocked(plan, options) {
  const started = Date.now();
  const reporter = options.reporter ?? silentReporter;
  const { snapshot, target } = plan;
  const createdTarget = lstatOrUndefined(target) === void 0;
  const staging = await openStaging(target);
  try {
    const layout = await stagingLayout(plan, staging);
    reporter.emit({
      type: "phase",
      phase: "stage",
      message: `extracting snapshot ${snapshot.id} into a staging folder`
    });
    await stage(plan, layout, options, reporter);
    let preRestoreSnapshot;
    if (createdTarget) {
      reporter.emit({
        type: "info",
        message: `${target} did not exist: nothing to lose, so no pre-restore snapshot is needed`
      });
    } else if (!options.noPreRestore) {
      if (!options.encryptionKeys)
        throw new RipcordError("a pre-restore snapshot needs an encryption key (or pass --no-pre-restore)");
      reporter.emit({
        type: "phase",
        phase: "pre-restore",
        message: `snapshotting what the restore will touch in ${target}`
      });
      preRestoreSnapshot = (await createBackup({
        store: options.store,
        paths: plan.scope,
        cwd: target,
        allowMissing: true,
        skip: [staging, ...plan.protect],
        exclude: [`${STAGING_PREFIX}*`],
        kind: "pre-restore",
        restoredFrom: snapshot.id,
        keys: options.encryptionKeys,
        ...options.preRestoreCaptures?.length ? { captures: options.preRestoreCaptures } : {},
        env: options.env,
        origin: options.origin,
        reporter: {
          emit: (event) => event.type === "progress" || event.type === "warning" ? reporter.emit(event) : void 0
        }
      })).snapshot;
      reporter.emit({ type: "info", message: `pre-restore snapshot ${preRestoreSnapshot.id} saved` });
    }
    reporter.emit({
      type: "phase",
      phase: "apply",
      message: `applying ${countOf(plan.counts.add + plan.counts.change, "change")} and ${countOf(plan.counts.remove, "removal")} to ${target}`
    });
    try {
      await (layout.tree ? moveTreeIntoPlace(plan, layout.tree, options) : moveIntoPlace(plan, layout, options));
      for (const { capture, index } of plan.captures) {
        reporter.emit({ type: "phase", phase: "restore-capture", message: `restoring captured ${capture.name}` });
        await runRestoreCapture(capture, layout.pathOf(index), { cwd: target, env: options.env });
      }
    } catch (error) {
      const reason2 = error instanceof Error ? error.message : String(error);
      const undo = preRestoreSnapshot ? `the target is partly restored; run "${undoCommand(plan, preRestoreSnapshot)}" to bring it back exactly as it was` : createdTarget ? `the target did not exist before: remove it (rm -r ${shellQuote(target)}) to bring back that state` : "the target is partly restored and no pre-restore snapshot was taken";
      throw new RipcordError(`restore of snapshot ${snapshot.id} into ${target} was interrupted (${reason2}): ${undo}`, {
        cause: error
      });
    }
    return {
      snapshot,
      target,
      ...preRestoreSnapshot ? { preRestoreSnapshot } : {},
      createdTarget,
      counts: plan.counts,
      durationMs: Date.now() - started
    };
  } finally {
    await fs8.rm(staging, { recursive: true, force: true });
  }
}
function undoCommand(plan, preRestoreSnapshot) {
  return `ripcord restore ${preRestoreSnapshot.id} --target ${plan.target}${plan.undoNeedsOutsideLinks ? " --allow-outside-symlinks" : ""}`;
}
async function moveIntoPlace(plan, layout, options) {
  const { entries, selected, target } = plan;
  const directories = [];
  const real = /* @__PURE__ */ new Set();
  let applied = 0;
  for (const index of [...selected].sort((a, b) => a - b)) {
    const entry = entries[index];
    const destination = path12.join(target, entry.path);
    ensureRealDirectories(target, entry.path, real);
    const existing = lstatOrUndefined(destination);
    if (entry.type === "directory") {
      if (existing && !existing.isDirectory()) rmSync3(destination, { force: true });
      if (!existing?.isDirectory()) mkdirSync3(destination, { mode: 448 });
      real.add(entry.path);
      directories.push(entry);
    } else {
      if (existing?.isDirectory()) rmSync3(destination, { recursive: true, force: true });
      const staged = layout.pathOf(index);
      if (entry.type === "symlink") setLinkTime(staged, entry.mtime);
      renameSync(staged, destination);
    }
    applied += 1;
    await options.afterApply?.(applied);
  }
  for (const removal of plan.removals) {
    rmSync3(path12.join(target, removal), { recursive: true, force: true });
    applied += 1;
    await options.afterApply?.(applied);
  }
  setDirectoryModes(target, directories);
}
async function moveTreeIntoPlace(plan, tree, options) {
  const { entries, selected, target } = plan;
  const order = [...selected].sort((a, b) => a - b);
  const directories = order.map((index) => entries[index]).filter((entry) => entry.type === "directory");
  const sizes = /* @__PURE__ */ new Map();
  for (const index of order) {
    const top = entries[index].path.split("/")[0];
    sizes.set(top, (sizes.get(top) ?? 0) + 1);
  }
  for (const top of sizes.keys()) {
    if (lstatOrUndefined(path12.join(target, top)) !== void 0)
      throw new RipcordError(
        `${path12.join(target, top)} appeared in the target while the restore ran; it was not replaced`
      );
  }
  let applied = 0;
  for (const [top, size] of sizes) {
    renameSync(path12.join(tree, top), path12.join(target, top));
    applied += size;
    await options.afterApply?.(applied);
  }
  setDirectoryModes(target, directories);
}
function setDirectoryModes(target, directories) {
  for (const entry of [...directories].reverse()) {
    const destination = path12.join(target, entry.path);
    chmodSync(destination, safeMode(parseMode(entry.mode)));
    const mtime = new Date(entry.mtime * 1e3);
    utimesSync2(destination, mtime, mtime);
  }
}

// src/ops/validate.ts
import { once as once3 } from "node:events";
import { setTimeout as sleep3 } from "node:timers/promises";
function hasChecks(plan) {
  return plan.commands.length + plan.healthUrls.length > 0;
}
function parseExpectedStatus(spec) {
  const parts = spec.split(",").map((p) => p.trim());
  const tests = parts.map((part) => {
    let m = /^([1-5])xx$/i.exec(part);
    if (m) return (s) => Math.floor(s / 100) === Number(m[1]);
    m = /^(\d{3})-(\d{3})$/.exec(part);
    if (m) return (s) => s >= Number(m[1]) && s <= Number(m[2]);
    m = /^(\d{3})$/.exec(part);
    if (m) return (s) => s === Number(m[1]);
    throw new UsageError(
      `--expect-status ${spec}: give a status (200), a class (2xx), a range (200-399) or a comma-separated list`
    );
  });
  return (status) => tests.some((t) => t(status));
}
function compileBodyPattern(source) {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(
      `--expect-body ${JSON.stringify(source)} is not a regular expression: ${error.message}`
    );
  }
}
async function validateDeployment(plan, context) {
  const started = Date.now();
  const attemptsAllowed = (plan.retries ?? 0) + 1;
  const statusOk = parseExpectedStatus(plan.expectStatus ?? "2xx");
  const body = plan.expectBody !== void 0 ? compileBodyPattern(plan.expectBody) : void 0;
  const reporter = context.reporter ?? silentReporter;
  let failures = [];
  let attempt = 0;
  while (attempt < attemptsAllowed) {
    attempt += 1;
    reporter.emit({
      type: "phase",
      phase: "validate",
      message: `validating (attempt ${attempt} of ${attemptsAllowed})`
    });
    failures = [];
    for (const command of plan.commands) {
      const failure = await runCheckCommand(command, plan.timeoutMs ?? 6e4, context);
      if (failure) failures.push({ check: command, detail: failure });
    }
    for (const url of plan.healthUrls) {
      const failure = await checkHealth(url, statusOk, body, plan.timeoutMs ?? 6e4);
      if (failure) failures.push({ check: url, detail: failure });
    }
    if (failures.length === 0) return { ok: true, attempts: attempt, failures, durationMs: Date.now() - started };
    const summary = failures.map((f) => `${f.check}: ${f.detail}`).join("; ");
    if (attempt < attemptsAllowed) {
      reporter.emit({
        type: "info",
        message: `validation attempt ${attempt} failed (${summary}); retrying in ${Math.round((plan.intervalMs ?? 5e3) / 1e3)}s`
      });
      await sleep3(plan.intervalMs ?? 5e3);
    }
  }
  return { ok: false, attempts: attempt, failures, durationMs: Date.now() - started };
}
async function runStreaming(file, args, timeoutMs, context) {
  const { spawn } = await import("node:child_process");
  const child = spawn(file, args, {
    cwd: context.cwd,
    env: commandEnvironment(context.env),
    stdio: ["ignore", "pipe", "pipe"]
  });
  let tail2 = "";
  const keep = (chunk) => {
    tail2 = (tail2 + chunk.toString()).slice(-8e3);
    context.output?.write(chunk);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let timedOut = false;
  const timer = timeoutMs === void 0 ? void 0 : setTimeout(() => {
    timedOut = true;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5e3).unref();
  }, timeoutMs);
  const spawned = once3(child, "spawn").then(
    () => void 0,
    (error) => error
  );
  const [code, signal] = await once3(child, "close").catch(() => [127, null]);
  if (timer) clearTimeout(timer);
  const spawnError = await spawned;
  if (spawnError) tail2 = `${tail2}${spawnError.message}`;
  return { code: spawnError ? 127 : code, signal, timedOut, tail: lastLines(tail2, 20) };
}
function lastLines(text2, lines) {
  return text2.replace(/\s+$/, "").split("\n").slice(-lines).join("\n");
}
async function runCheckCommand(command, timeoutMs, context) {
  const outcome = await runStreaming("sh", ["-c", command], timeoutMs, context);
  if (outcome.code === 0) return void 0;
  const why = outcome.timedOut ? `timed out after ${Math.round(timeoutMs / 1e3)}s` : outcome.signal ? `killed by ${outcome.signal}` : `exited with ${outcome.code}`;
  const last = lastLines(outcome.tail, 1);
  return last ? `${why}: ${last}` : why;
}
async function checkHealth(url, statusOk, body, timeoutMs) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    const text2 = (await response.text()).slice(0, 1 << 20);
    if (!statusOk(response.status)) return `answered ${response.status}`;
    if (body && !body.test(text2)) return `answered ${response.status} but the body does not match ${body}`;
    return void 0;
  } catch (error) {
    const cause = error.cause;
    if (error.name === "TimeoutError") return `no answer within ${Math.round(timeoutMs / 1e3)}s`;
    return `unreachable (${cause?.code ?? cause?.message ?? error.message})`;
  }
}

// src/ops/deploy.ts
var OUTCOME_OBJECT = "outcome.json";
async function runGuardedDeploy(request) {
  const started = Date.now();
  const reporter = request.reporter ?? silentReporter;
  if (request.command.length === 0)
    throw new UsageError("no deploy command: give it after --, e.g. ripcord deploy -- ./deploy.sh");
  if (!request.noRollback && !request.decryptionKeys) {
    throw new UsageError(
      "a guarded deploy needs a key that can read its snapshot to roll back: set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY (or pass --no-rollback)"
    );
  }
  if (!request.noRollback) checkRollbackPossible(request.keys, request.decryptionKeys);
  reporter.emit({ type: "phase", phase: "snapshot", message: "taking the pre-deploy snapshot" });
  const level = request.level === "auto" && !request.decryptionKeys ? "full" : request.level ?? "full";
  const { snapshot, absent, fullBecause } = await createBackup({
    store: request.store,
    paths: request.paths,
    allowMissing: true,
    cwd: request.cwd,
    exclude: request.exclude ?? [],
    skip: request.protect ?? [],
    kind: "pre-deploy",
    tags: request.tags ?? [],
    keys: request.keys,
    ...request.newKey ? { newKey: true } : {},
    level,
    ...request.auto ? { auto: request.auto } : {},
    ...request.decryptionKeys ? { parentKeys: async () => request.decryptionKeys } : {},
    origin: request.origin,
    ...request.captures?.length ? { captures: request.captures } : {},
    env: request.env,
    reporter
  });
  reporter.emit({
    type: "info",
    message: `pre-deploy snapshot ${snapshot.id} saved${snapshot.level ? ` (${snapshot.level} on ${snapshot.parent})` : ""}${fullBecause ? ` (a full one: ${fullBecause})` : ""}`
  });
  const snapshotMs = Date.now() - started;
  reporter.emit({ type: "phase", phase: "deploy", message: `deploying: ${request.command.join(" ")}` });
  const deployStarted = Date.now();
  const deployed = await runStreaming(request.command[0], request.command.slice(1), void 0, {
    cwd: request.cwd,
    env: request.env,
    output: request.output
  });
  const deployMs = Date.now() - deployStarted;
  let failure;
  let validation;
  if (deployed.code !== 0) {
    const why = deployed.signal ? `was killed by ${deployed.signal}` : deployed.code === 127 && /ENOENT/.test(deployed.tail) ? "could not be started (command not found)" : `exited with ${deployed.code}`;
    failure = { stage: "deploy", detail: `the deploy command ${why}`, outputTail: deployed.tail };
  } else if (hasChecks(request.validation)) {
    validation = await validateDeployment(request.validation, {
      cwd: request.cwd,
      env: request.env,
      output: request.output,
      reporter
    });
    if (!validation.ok) {
      failure = {
        stage: "validation",
        detail: `validation failed after ${countOf(validation.attempts, "attempt")}: ${validation.failures.map((f) => `${f.check}: ${f.detail}`).join("; ")}`,
        outputTail: ""
      };
    }
  }
  const validationMs = validation?.durationMs ?? 0;
  const base = {
    preDeploySnapshot: snapshot.id,
    ...snapshot.level && snapshot.parent ? { preDeployParent: { level: snapshot.level, parent: snapshot.parent } } : {},
    ...absent.length ? { absent } : {},
    ...validation ? { validation } : {}
  };
  if (!failure) {
    await recordOutcome(request.store, snapshot.id, {
      result: "deployed",
      at: (/* @__PURE__ */ new Date()).toISOString(),
      exitCode: ExitCode.ok
    });
    return {
      ...base,
      result: "deployed",
      exitCode: ExitCode.ok,
      timings: { snapshotMs, deployMs, validationMs, totalMs: Date.now() - started }
    };
  }
  if (request.noRollback) {
    await recordOutcome(request.store, snapshot.id, {
      result: "failed",
      at: (/* @__PURE__ */ new Date()).toISOString(),
      exitCode: ExitCode.failure,
      detail: failure.detail
    });
    return {
      ...base,
      result: "failed",
      exitCode: ExitCode.failure,
      failure,
      action: `nothing was rolled back (--no-rollback); to roll back: ${rollbackCommandLine(snapshot.id, request.restoreCaptures ?? [])}`,
      timings: { snapshotMs, deployMs, validationMs, totalMs: Date.now() - started }
    };
  }
  reporter.emit({ type: "phase", phase: "rollback", message: `${failure.detail}; rolling back to ${snapshot.id}` });
  const rollback = await rollbackTo(snapshot, request);
  const ok = rolledBackCleanly(rollback);
  const result = ok ? "rolled-back" : "rollback-failed";
  const exitCode = ok ? ExitCode.rolledBack : ExitCode.rollbackFailed;
  await recordOutcome(request.store, snapshot.id, {
    result,
    at: (/* @__PURE__ */ new Date()).toISOString(),
    exitCode,
    ...rollback.brokenStateSnapshot ? { brokenStateSnapshot: rollback.brokenStateSnapshot } : {},
    detail: failure.detail
  }).catch(() => {
  });
  return {
    ...base,
    result,
    exitCode,
    failure,
    rollback,
    ...ok ? {} : { action: humanAction(snapshot.id, rollback, request.cwd) },
    timings: { snapshotMs, deployMs, validationMs, rollbackMs: rollback.durationMs, totalMs: Date.now() - started }
  };
}
async function runRollback(request) {
  if (!request.decryptionKeys)
    throw new UsageError("rollback needs a key that can read the snapshot: set RIPCORD_PASSPHRASE or RIPCORD_IDENTITY");
  const snapshot = await resolveSnapshot(
    request.store,
    request.reference ?? "latest",
    request.reference ? {} : { kind: "pre-deploy" }
  );
  (request.reporter ?? silentReporter).emit({
    type: "phase",
    phase: "rollback",
    message: `rolling back to ${snapshot.id}`
  });
  const rollback = await rollbackTo(snapshot, request, {
    ...request.include ? { include: request.include } : {},
    capturesRequired: !request.skipCaptures
  });
  const ok = rolledBackCleanly(rollback);
  if (snapshot.kind === "pre-deploy") {
    await recordOutcome(request.store, snapshot.id, {
      result: ok ? "rolled-back" : "rollback-failed",
      at: (/* @__PURE__ */ new Date()).toISOString(),
      exitCode: ok ? ExitCode.ok : ExitCode.rollbackFailed,
      ...rollback.brokenStateSnapshot ? { brokenStateSnapshot: rollback.brokenStateSnapshot } : {}
    }).catch(() => {
    });
  }
  return {
    result: ok ? "rolled-back" : "rollback-failed",
    exitCode: ok ? ExitCode.ok : ExitCode.rollbackFailed,
    rollback,
    ...ok ? {} : { action: humanAction(snapshot.id, rollback, request.cwd) }
  };
}
async function rollbackTo(snapshot, context, options = {}) {
  const { include } = options;
  const { validation: validationPlan, onRollback } = context;
  const restoreCaptures = context.restoreCaptures ?? [];
  const captures = context.captures ?? [];
  const started = Date.now();
  const reporter = context.reporter ?? silentReporter;
  const report = { restoredSnapshot: snapshot.id, durationMs: 0 };
  try {
    const plan = await planRestore({
      store: context.store,
      reference: snapshot.id,
      target: context.cwd,
      delete: true,
      keys: context.decryptionKeys,
      allowOutsideSymlinks: true,
      ...include?.length ? { include } : {},
      protect: context.protect ?? [],
      restoreCaptures
    });
    if (options.capturesRequired && plan.unrestoredCaptures.length > 0)
      throw new UnrestoredCapturesError(snapshot.id, plan.unrestoredCaptures);
    const restored = await applyRestore(plan, {
      store: context.store,
      keys: context.decryptionKeys,
      encryptionKeys: context.keys,
      origin: context.origin,
      preRestoreCaptures: captures.filter((c) => restoreCaptures.some((r) => r.name === c.name)),
      env: context.env,
      reporter
    });
    if (restored.preRestoreSnapshot) report.brokenStateSnapshot = restored.preRestoreSnapshot.id;
  } catch (error) {
    if (error instanceof UnrestoredCapturesError) throw error;
    report.error = error instanceof Error ? error.message : String(error);
    report.durationMs = Date.now() - started;
    return report;
  }
  if (onRollback) {
    reporter.emit({ type: "phase", phase: "on-rollback", message: `running the rollback hook: ${onRollback}` });
    const hook = await runStreaming("sh", ["-c", onRollback], void 0, {
      cwd: context.cwd,
      env: context.env,
      output: context.output
    });
    report.onRollback = hook.code === 0 ? { command: onRollback, ok: true } : {
      command: onRollback,
      ok: false,
      detail: hook.signal ? `killed by ${hook.signal}` : `exited with ${hook.code}`,
      outputTail: lastLines(hook.tail, 10)
    };
  }
  if (hasChecks(validationPlan)) {
    report.validation = await validateDeployment(validationPlan, {
      cwd: context.cwd,
      env: context.env,
      output: context.output,
      reporter
    });
  }
  report.durationMs = Date.now() - started;
  return report;
}
function rolledBackCleanly(rollback) {
  return !rollback.error && (rollback.onRollback?.ok ?? true) && (rollback.validation?.ok ?? true);
}
function rollbackCommandLine(snapshotId, restoreCaptures) {
  return [
    "ripcord rollback",
    snapshotId,
    ...restoreCaptures.map((c) => `--restore-capture ${shellQuote(`${c.name}=${c.command}`)}`)
  ].join(" ");
}
var UnrestoredCapturesError = class extends UsageError {
  constructor(snapshotId, names) {
    const flags = names.map((name) => `--restore-capture ${name}='COMMAND THAT LOADS ${name.toUpperCase()} FROM STDIN'`).join(" ");
    super(
      `snapshot ${snapshotId} holds captured state (${names.join(", ")}) that this rollback would not restore, and nothing was rolled back: run ripcord rollback ${snapshotId} ${flags} (the deploy's --restore-capture), or add --skip-captures to restore the files alone`
    );
  }
};
function humanAction(snapshotId, rollback, cwd) {
  if (rollback.error) {
    return `the files could not be restored (${rollback.error}); restore by hand: ripcord restore ${snapshotId} --target ${cwd} --delete --yes (or gpg -d archive.tar.gz.pgp | tar -xz, see docs/format.md)`;
  }
  if (rollback.onRollback && !rollback.onRollback.ok) {
    return `the files are back to ${snapshotId}, but the rollback hook failed: fix and run it by hand (${rollback.onRollback.command}), then check the service`;
  }
  return `the files are back to ${snapshotId}, but the service still fails validation: investigate now; the broken state is in snapshot ${rollback.brokenStateSnapshot ?? "(none)"}`;
}
async function recordOutcome(store, id, outcome) {
  await store.put(`${id}/${OUTCOME_OBJECT}`, Buffer.from(`${JSON.stringify(outcome, null, 2)}
`));
}
async function readOutcome(store, id) {
  try {
    return JSON.parse(await readText(store, `${id}/${OUTCOME_OBJECT}`));
  } catch (error) {
    if (error instanceof RipcordError) return void 0;
    throw error;
  }
}

export {
  escapeControls,
  escapeControlsKeepingLines,
  escapeJsonControls,
  htmlText,
  slackText,
  actionLogText,
  VERSION,
  parseDuration,
  formatDuration,
  storedBytes,
  readStoredBytes,
  listFolders,
  readText,
  readMetadata,
  listSnapshots,
  matchesFilter,
  resolveSnapshot,
  forEachLimited,
  bindingOf,
  DEFAULT_COMPRESSION_LEVEL,
  openScratchFile,
  makeScratchFolder,
  checkRollbackPossible,
  copySignature,
  parseManifest,
  linesOf,
  chain,
  drain,
  describeFailure,
  openDecrypted,
  storedChecksum,
  checkStoredChecksum,
  withManifest,
  readManifest,
  openIndexed,
  openArchive,
  CAPTURED_DIR,
  parseCaptureSpec,
  silentReporter,
  BACKUP_LEVELS,
  isBackupLevel,
  MAX_CHAIN,
  keepChains,
  isChainRecordOf,
  linkOf,
  chainOfSnapshot,
  DEFAULT_AUTO_POLICY,
  checkCarried,
  encryptionKeysFrom,
  decryptionKeysFrom,
  preRestoreKeysFrom,
  headerMismatch,
  contentMismatch,
  measuring,
  fileAsOf,
  countOf,
  formatAge,
  formatRate,
  createBackup,
  DEFAULT_EXCLUDES,
  repositorySkip,
  describeOrigin,
  describeActor,
  openStore,
  describeRepository,
  shellQuote,
  withLock,
  lockOwner,
  planRestore,
  removeStaleStaging,
  applyRestore,
  undoCommand,
  parseExpectedStatus,
  compileBodyPattern,
  validateDeployment,
  OUTCOME_OBJECT,
  runGuardedDeploy,
  runRollback,
  readOutcome
};
