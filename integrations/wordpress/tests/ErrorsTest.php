<?php
/**
 * Failures are stored as a code and facts and worded when shown, for the one who reads them.
 */

use PHPUnit\Framework\TestCase;

final class ErrorsTest extends TestCase {
	public function test_a_language_refusal_keeps_the_language_as_a_fact_and_offers_force(): void {
		$line    = array( 'status' => 422, 'detail' => 'the text looks English (eng_Latn, confidence 1.0), not Indonesian; send "force": true', 'detected_language' => array( 'code' => 'eng_Latn', 'name' => 'English', 'confidence' => 1.0 ) );
		$failure = Ringkas_Client::problem( 422, $line );
		$this->assertSame( 'not-indonesian', $failure['code'] );
		$this->assertSame( array( 'language' => 'English', 'code' => 'eng_Latn', 'confidence' => 1.0 ), $failure['facts'] );
		$this->assertTrue( Ringkas_Errors::can_force( $failure['code'] ) );
		$this->assertStringContainsString( 'looks like English', Ringkas_Errors::message( 'not-indonesian', $failure['facts'] ) );
		$record = Ringkas_Errors::record( $failure );
		$this->assertSame( array( 'code', 'status', 'facts', 'detail', 'at' ), array_keys( $record ) );
		$this->assertStringNotContainsString( 'force', Ringkas_Errors::message( $record['code'], $record['facts'] ) ); // The API's advice is not the editor's.
	}

	public function test_settings_problems_send_administrators_to_the_settings_and_others_to_an_administrator(): void {
		$admin  = Ringkas_Errors::message( 'key-refused', array(), true );
		$editor = Ringkas_Errors::message( 'key-refused', array(), false );
		$this->assertStringContainsString( 'Settings → Ringkas', $admin );
		$this->assertStringNotContainsString( 'Settings → Ringkas', $editor );
		$this->assertStringContainsString( 'administrator', $editor );
		$this->assertFalse( Ringkas_Errors::can_force( 'key-refused' ) );
	}

	public function test_every_code_the_client_makes_has_its_own_words(): void {
		$codes = array( 'not-configured', 'unreachable', 'bad-answer', 'key-missing', 'key-refused', 'too-long', 'refused', 'not-indonesian', 'busy' );
		$words = array_map( array( 'Ringkas_Errors', 'message' ), $codes );
		$this->assertCount( count( $codes ), array_unique( $words ) );
		$this->assertNotContains( Ringkas_Errors::message( 'failed' ), $words );
	}

	public function test_only_refusals_of_the_article_are_final(): void {
		$this->assertSame( array( 'refused', 'not-indonesian', 'too-long' ), Ringkas_Errors::FINAL );
		$this->assertSame( 'busy', Ringkas_Client::problem( 503, array() )['code'] );
		$this->assertSame( 'too-long', Ringkas_Client::problem( 413, array() )['code'] );
	}
}
