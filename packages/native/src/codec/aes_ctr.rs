//! AES-CTR (128-bit big-endian counter starting at the IV), as Dgraph and
//! OpenSSL `aes-*-ctr` use it. AES-NI is detected at run time by `aes`.

use super::error::{CodecError, ErrorCode, Result};
use aes::{Aes128, Aes192, Aes256};
use ctr::cipher::{KeyIvInit, StreamCipher};

pub const IV_LEN: usize = 16;

/// A keyed AES-CTR stream (encryption and decryption are the same operation).
pub enum AesCtr {
    A128(ctr::Ctr128BE<Aes128>),
    A192(ctr::Ctr128BE<Aes192>),
    A256(ctr::Ctr128BE<Aes256>),
}

/// Checks the key length (16/24/32 bytes).
pub fn check_key(key: &[u8]) -> Result<()> {
    match key.len() {
        16 | 24 | 32 => Ok(()),
        n => Err(CodecError::new(
            ErrorCode::BadKeyLength,
            format!(
                "encryption key is {n} bytes; AES-CTR needs 16, 24 or 32 bytes (AES-128/192/256)"
            ),
        )),
    }
}

impl AesCtr {
    pub fn new(key: &[u8], iv: &[u8; IV_LEN]) -> Result<Self> {
        check_key(key)?;
        let bad = |_| CodecError::new(ErrorCode::BadKeyLength, "invalid key or IV length");
        Ok(match key.len() {
            16 => AesCtr::A128(ctr::Ctr128BE::<Aes128>::new_from_slices(key, iv).map_err(bad)?),
            24 => AesCtr::A192(ctr::Ctr128BE::<Aes192>::new_from_slices(key, iv).map_err(bad)?),
            _ => AesCtr::A256(ctr::Ctr128BE::<Aes256>::new_from_slices(key, iv).map_err(bad)?),
        })
    }

    /// XORs the keystream into `buf` (continuing where the last call stopped).
    pub fn apply(&mut self, buf: &mut [u8]) {
        match self {
            AesCtr::A128(c) => c.apply_keystream(buf),
            AesCtr::A192(c) => c.apply_keystream(buf),
            AesCtr::A256(c) => c.apply_keystream(buf),
        }
    }
}

/// 16 random bytes from the OS.
pub fn random_iv() -> Result<[u8; IV_LEN]> {
    let mut iv = [0u8; IV_LEN];
    getrandom::fill(&mut iv)
        .map_err(|e| CodecError::invalid(format!("cannot get random bytes for the IV: {e}")))?;
    Ok(iv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // NIST SP 800-38A F.5.1 / F.5.5 (CTR-AES128 / CTR-AES256), first block.
    #[test]
    fn nist_vectors() {
        let iv: [u8; 16] = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").try_into().unwrap();
        let pt = hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        let mut b = pt.clone();
        AesCtr::new(&hex("2b7e151628aed2a6abf7158809cf4f3c"), &iv)
            .unwrap()
            .apply(&mut b);
        assert_eq!(
            b,
            hex("874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff")
        );
        let mut b = pt.clone();
        let k256 = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        AesCtr::new(&k256, &iv).unwrap().apply(&mut b);
        assert_eq!(
            b,
            hex("601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5")
        );
        let mut b = pt.clone();
        let k192 = hex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b");
        AesCtr::new(&k192, &iv).unwrap().apply(&mut b);
        assert_eq!(
            b,
            hex("1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e94")
        );
    }

    #[test]
    fn streaming_in_pieces_equals_one_shot() {
        let key = [7u8; 32];
        let iv = [9u8; 16];
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut one = data.clone();
        AesCtr::new(&key, &iv).unwrap().apply(&mut one);
        let mut pieces = data.clone();
        let mut c = AesCtr::new(&key, &iv).unwrap();
        for chunk in pieces.chunks_mut(7) {
            c.apply(chunk);
        }
        assert_eq!(one, pieces);
    }

    #[test]
    fn bad_key_length() {
        let e = check_key(&[0u8; 20]).unwrap_err();
        assert_eq!(e.code, ErrorCode::BadKeyLength);
        assert!(e.message.contains("20 bytes"));
    }
}
