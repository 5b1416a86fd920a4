<?php
/**
 * Language names are chosen by the NLLB code and worded by the plugin's translations, never taken
 * from the service's English sentence.
 */

use PHPUnit\Framework\TestCase;

final class LanguagesTest extends TestCase {
	public function test_the_code_decides_the_name_and_the_service_name_is_a_fallback(): void {
		$this->assertSame( 'English', Ringkas_Languages::name( 'eng_Latn', 'Something else' ) );
		$this->assertSame( 'Malay', Ringkas_Languages::name( '', 'malay' ) ); // Stored without its code.
		$this->assertSame( 'Swahili', Ringkas_Languages::name( 'swh_Latn', 'Swahili' ) ); // Unknown here: the service's.
		$this->assertSame( 'swh_Latn', Ringkas_Languages::name( 'swh_Latn' ) );
	}

	public function test_a_refusal_names_the_language_through_the_plugins_words(): void {
		$message = Ringkas_Errors::message( 'not-indonesian', array( 'code' => 'zsm_Latn', 'language' => 'Zzz' ) );
		$this->assertStringContainsString( 'looks like Malay', $message );
	}

	public function test_every_language_the_service_detects_has_a_name_of_its_own(): void {
		// The service's detector (api/text/language.py): each of its codes is named by the plugin.
		$source = (string) file_get_contents( dirname( __DIR__, 3 ) . '/api/text/language.py' );
		preg_match_all( '/"[A-Z]+": "([a-z]{3}_[A-Z][a-z]{3})"/', $source, $found );
		$this->assertGreaterThanOrEqual( 10, count( $found[1] ) );
		$this->assertSame( array(), array_values( array_diff( $found[1], array_keys( Ringkas_Languages::names() ) ) ) );
	}
}
