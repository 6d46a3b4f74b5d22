"""C2PA Content Credentials read from real uploads: none, signed, tampered, damaged, remote.

Signed files are made here with the same SDK (c2pa-python) and a throwaway certificate chain
generated with `cryptography`; nothing is mocked and nothing touches the network.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.test import override_settings
from django.urls import reverse

from media_library.choices import ProvenanceStatus
from media_library.models import ProcessingStatus
from media_library.processing.provenance import read_provenance
from tests.base import IsolatedMediaTestCase
from tests.factories import make_clip, make_image, make_video, ready_clip

BEFORE_CREDENTIALS = "This clip was added before Telltale read Content Credentials"
CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"


@dataclass
class SigningChain:
    chain_pem: bytes  # the signer's certificate, then the root
    key_pem: bytes
    root_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Telltale test CA"),
        ]
    )


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_signing_chain() -> SigningChain:
    """A root CA and an ES256 signing certificate below it, valid for a day either side."""
    now = datetime.datetime.now(datetime.UTC)
    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def builder(subject: str, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        )

    root = (
        builder("Telltale test root", _name("Telltale test root"), root_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    # C2PA wants an end-entity certificate with a signing EKU, not a self-signed one.
    leaf = (
        builder("Test newsroom camera", root.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )

    def pem(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningChain(pem(leaf) + pem(root), key_pem, pem(root))


def sign_file(
    source: Path,
    target: Path,
    mime: str,
    chain: SigningChain,
    *,
    remote_url: str = "",
) -> Path:
    """Embed a signed manifest (or, with remote_url, only a reference to one) in a copy."""
    manifest = {
        "claim_generator_info": [{"name": "Telltale tests", "version": "1.0"}],
        "title": "Harbour at dawn",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": CAPTURE}]},
            }
        ],
    }
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain.chain_pem, chain.key_pem, None)
    )
    context = c2pa.Context.from_dict(
        {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    )
    with c2pa.Builder(manifest, context=context) as builder:
        if remote_url:
            builder.set_no_embed()
            builder.set_remote_url(remote_url)
        with source.open("rb") as src, target.open("w+b") as dst:
            builder.sign(signer, mime, src, dst)
    return target


def flip_bytes(path: Path, start: int, count: int = 1) -> Path:
    data = bytearray(path.read_bytes())
    for i in range(start, start + count):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


class ProvenanceTestCase(IsolatedMediaTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.chain = make_signing_chain()
        cls.jpeg = cls.fixture("plain.jpg", make_image, size=(320, 240))
        cls.mp4 = cls.fixture("plain.mp4", make_video, seconds=1, audio=False)

    def signed_jpeg(self, name: str = "signed.jpg") -> Path:
        return sign_file(self.jpeg, self.fixtures / name, "image/jpeg", self.chain)


class AbsentCredentialsTests(ProvenanceTestCase):
    def test_an_ordinary_jpeg_and_mp4_have_none(self) -> None:
        for path in (self.jpeg, self.mp4):
            with self.subTest(path.name):
                clip = self.create_clip(path, title=path.name)
                self.assertEqual(clip.processing_status, ProcessingStatus.READY)
                self.assertEqual(clip.provenance_status, ProvenanceStatus.ABSENT)
                self.assertNotIn("errors", clip.provenance_summary)
                self.assertNotIn("reason", clip.provenance_summary)

    def test_webm_cannot_carry_credentials_and_says_so(self) -> None:
        webm = self.fixture(
            "plain.webm", make_video, seconds=1, audio=False, video_codec="libvpx", container="webm"
        )
        clip = self.create_clip(webm)
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)
        self.assertEqual(clip.provenance_status, ProvenanceStatus.ABSENT)
        self.assertIs(clip.provenance_summary["format_supported"], False)

    def test_a_remote_manifest_is_never_fetched(self) -> None:
        # .invalid never resolves: a fetch would fail, and the result would differ.
        url = "https://credentials.example.invalid/harbour.c2pa"
        path = sign_file(
            self.jpeg, self.fixtures / "remote.jpg", "image/jpeg", self.chain, remote_url=url
        )
        found = read_provenance(path)
        self.assertEqual(found.status, ProvenanceStatus.ABSENT)
        self.assertEqual(found.summary["remote_url"], url)

    def test_the_page_teaches_that_none_means_unknown(self) -> None:
        clip = self.create_clip(self.jpeg)
        self.client.force_login(self.curator)
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "No Content Credentials — that means unknown, not fake.")


class SignedCredentialsTests(ProvenanceTestCase):
    def test_a_signed_jpeg_is_valid_but_its_unknown_signer_untrusted(self) -> None:
        clip = self.create_clip(self.signed_jpeg())
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)
        self.assertEqual(clip.provenance_status, ProvenanceStatus.VALID)
        summary = clip.provenance_summary
        self.assertIs(summary["trusted"], False)
        self.assertEqual(summary["validation_state"], "Valid")
        self.assertEqual(summary["claim_generator"], "Telltale tests 1.0")
        self.assertEqual(summary["title"], "Harbour at dawn")
        self.assertEqual(summary["signer"], "Test newsroom camera")
        self.assertEqual(summary["issuer"], "Telltale test CA")
        self.assertEqual(
            summary["actions"], [{"action": "c2pa.created", "source_type": "digitalCapture"}]
        )
        self.assertIn("signingCredential.untrusted", [n["code"] for n in summary["notes"]])

        self.client.force_login(self.curator)
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "present and intact, but the signer is not verified")
        self.assertContains(response, "Test newsroom camera")
        self.assertContains(response, "c2pa.created")

    def test_a_signer_below_a_configured_anchor_is_trusted(self) -> None:
        anchors = self.fixtures / "anchors.pem"
        anchors.write_bytes(self.chain.root_pem)
        with override_settings(C2PA_TRUST_ANCHORS_FILE=str(anchors)):
            clip = self.create_clip(self.signed_jpeg())
        self.assertEqual(clip.provenance_status, ProvenanceStatus.VALID)
        self.assertIs(clip.provenance_summary["trusted"], True)
        self.assertEqual(clip.provenance_summary["validation_state"], "Trusted")
        self.client.force_login(self.curator)
        self.assertContains(
            self.client.get(clip.get_absolute_url()), "Content Credentials present and valid."
        )

    def test_a_signed_mp4_is_read_from_the_upload_not_the_transcode(self) -> None:
        clip = self.create_clip(
            sign_file(self.mp4, self.fixtures / "signed.mp4", "video/mp4", self.chain)
        )
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)
        self.assertEqual(clip.provenance_status, ProvenanceStatus.VALID)
        # Our transcode drops the manifest: reading the served file would find nothing.
        self.assertEqual(
            read_provenance(Path(clip.media_file.path)).status, ProvenanceStatus.ABSENT
        )


class InvalidCredentialsTests(ProvenanceTestCase):
    def test_pixels_changed_after_signing_make_them_invalid(self) -> None:
        # The last bytes before the JPEG's end marker are picture data the manifest hashed.
        path = self.signed_jpeg("tampered.jpg")
        clip = self.create_clip(flip_bytes(path, path.stat().st_size - 20))
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)
        self.assertEqual(clip.provenance_status, ProvenanceStatus.INVALID)
        errors = clip.provenance_summary["errors"]
        self.assertEqual(errors[0]["code"], "assertion.dataHash.mismatch")
        self.assertEqual(clip.provenance_summary["signer"], "Test newsroom camera")

        self.client.force_login(self.curator)
        response = self.client.get(clip.get_absolute_url())
        self.assertContains(response, "Content Credentials present but invalid.")
        self.assertContains(response, "assertion.dataHash.mismatch")

    def test_a_damaged_manifest_is_invalid_and_processing_goes_on(self) -> None:
        path = self.signed_jpeg("damaged.jpg")
        # Garble the claim inside the manifest: the SDK cannot decode it at all.
        offset = path.read_bytes().index(b"c2pa.signature") + 100
        clip = self.create_clip(flip_bytes(path, offset, 40))
        self.assertEqual(clip.processing_status, ProcessingStatus.READY)
        self.assertEqual(clip.provenance_status, ProvenanceStatus.INVALID)
        self.assertIn("CBOR", clip.provenance_summary["reason"])

    def test_credentials_are_kept_when_processing_then_fails(self) -> None:
        signed = sign_file(self.mp4, self.fixtures / "cut.mp4", "video/mp4", self.chain)
        # Half a file: ffmpeg wrote the index at the end, so processing cannot read it.
        signed.write_bytes(signed.read_bytes()[: signed.stat().st_size // 2])
        clip = self.create_clip(signed)
        self.assertEqual(clip.processing_status, ProcessingStatus.FAILED)
        self.assertEqual(clip.provenance_status, ProvenanceStatus.INVALID)
        self.assertTrue(clip.provenance_summary["errors"])

    def test_an_unreadable_file_is_recorded_not_raised(self) -> None:
        found = read_provenance(self.fixtures / "does-not-exist.jpg")
        self.assertEqual(found.status, ProvenanceStatus.INVALID)
        self.assertIn("does-not-exist.jpg", found.summary["reason"])


class NotCheckedTests(ProvenanceTestCase):
    def test_clips_from_before_stay_not_checked_and_say_so(self) -> None:
        clip = ready_clip("Old clip")
        self.assertEqual(clip.provenance_status, ProvenanceStatus.NOT_CHECKED)
        self.client.force_login(self.curator)
        page = self.client.get(clip.get_absolute_url())
        self.assertContains(page, "Not checked.")
        self.assertContains(page, BEFORE_CREDENTIALS)
        listing = self.client.get(reverse("media_library:clip-list"))
        self.assertContains(listing, "provenance-state-not_checked")

    def test_a_clip_still_processing_says_its_credentials_are_being_checked(self) -> None:
        self.client.force_login(self.curator)
        for status in (ProcessingStatus.PENDING, ProcessingStatus.PROCESSING):
            with self.subTest(status):
                clip = make_clip(f"Fresh {status}", processing_status=status)
                page = self.client.get(clip.get_absolute_url())
                self.assertContains(page, "Being checked.")
                self.assertNotContains(page, BEFORE_CREDENTIALS)
                listing = self.client.get(reverse("media_library:clip-list"))
                self.assertContains(listing, "Being checked</span>")
                clip.delete()

    def test_a_clip_whose_processing_failed_says_why_it_was_not_checked(self) -> None:
        clip = make_clip("Broken", processing_status=ProcessingStatus.FAILED)
        self.client.force_login(self.curator)
        page = self.client.get(clip.get_absolute_url())
        self.assertContains(page, "Processing failed before Telltale could read")
        self.assertNotContains(page, BEFORE_CREDENTIALS)
