// SHA-256 and Ed25519 for the in-browser ledger verifier (docs/ledger.md, "Verifying in a browser").
//
// Web Crypto (crypto.subtle) when the page has it and it supports Ed25519; otherwise the vendored
// @noble/hashes and @noble/ed25519 (fpa/static/vendor/noble, copied by scripts/vendor_assets.py).
// crypto.subtle only exists in secure contexts (https, or http on localhost): a county server
// reached over plain http on its LAN address is exactly where the fallback is needed.
// `?fallback=1` in the page's address forces the fallback (tests and comparisons).

const VENDOR = new URL('../../vendor/noble/', import.meta.url);

let provider = null;

async function noble() {
  const [ed, sha2] = await Promise.all([
    import(new URL('ed25519.js', VENDOR).href),
    import(new URL('hashes/sha2.js', VENDOR).href),
  ]);
  ed.hashes.sha512 = sha2.sha512;
  return { ed, sha256: sha2.sha256 };
}

async function subtleEd25519Works(subtle) {
  // RFC 8032 test 1: the empty message signed by the key below. A browser without Ed25519 in
  // Web Crypto throws NotSupportedError here.
  const pub = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const sig = fromHex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
  );
  try {
    const key = await subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify({ name: 'Ed25519' }, key, sig, new Uint8Array(0));
  } catch (error) {
    return false;
  }
}

export function fromHex(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

// The provider: { name, sha256(bytes) -> Promise<Uint8Array>, sha256Many(list) -> Promise<list>,
// verify(publicKey, signature, message) -> Promise<bool> }.
export async function cryptoProvider() {
  if (provider) return provider;
  const forced = new URLSearchParams(window.location.search).get('fallback') === '1';
  const subtle = !forced && globalThis.crypto && globalThis.crypto.subtle;
  let fallback = null;
  const lib = async () => (fallback = fallback || (await noble()));
  if (subtle) {
    const edNative = await subtleEd25519Works(subtle);
    const keys = new Map();
    provider = {
      name: edNative ? 'webcrypto' : 'webcrypto+noble-ed25519',
      sha256: async (bytes) => new Uint8Array(await subtle.digest('SHA-256', bytes)),
      sha256Many: async (list) =>
        (await Promise.all(list.map((b) => subtle.digest('SHA-256', b)))).map((d) => new Uint8Array(d)),
      verify: async (publicKey, signature, message) => {
        if (signature.length !== 64 || publicKey.length !== 32) return false;
        if (!edNative) {
          const { ed } = await lib();
          try {
            return ed.verify(signature, message, publicKey);
          } catch (error) {
            return false;
          }
        }
        const id = toHex(publicKey);
        if (!keys.has(id)) {
          keys.set(id, await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']));
        }
        try {
          return await subtle.verify({ name: 'Ed25519' }, keys.get(id), signature, message);
        } catch (error) {
          return false;
        }
      },
    };
    return provider;
  }
  const { ed, sha256 } = await lib();
  provider = {
    name: 'noble',
    sha256: async (bytes) => sha256(bytes),
    sha256Many: async (list) => list.map((b) => sha256(b)),
    verify: async (publicKey, signature, message) => {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        return ed.verify(signature, message, publicKey);
      } catch (error) {
        return false;
      }
    },
  };
  return provider;
}
